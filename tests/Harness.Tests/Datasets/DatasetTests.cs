using TraceProbe.Cli;
using TraceProbe.Datasets;
using TraceProbe.Experiments;
using TraceProbe.Images;
using TraceProbe.Processing;
using TraceProbe.Results;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Datasets;

public sealed class DatasetTests
{
    private static void Copy(int photo, string destination)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.Copy(TestData.Photos[photo].Path, destination);
    }

    [Fact]
    public void Class_folders_are_semantic_labels()
    {
        var root = TestData.TempFolder("folder");
        Copy(0, Path.Combine(root, "dogs", "a.jpg"));
        Copy(1, Path.Combine(root, "dogs", "b.JPG"));
        Copy(2, Path.Combine(root, "lakes", "c.jpeg"));
        var dataset = DatasetLoader.Open(root);
        Assert.Equal(["dogs/a.jpg", "dogs/b.JPG", "lakes/c.jpeg"], dataset.Photos.Select(p => p.Key));
        Assert.Equal(["dogs", "dogs", "lakes"], dataset.SemanticLabels!);
    }

    [Fact]
    public void A_manifest_lists_paths_and_labels_and_skips_missing_files()
    {
        var root = TestData.TempFolder("manifest");
        Copy(0, Path.Combine(root, "img", "one, two.jpg"));
        Copy(1, Path.Combine(root, "img", "three.jpg"));
        var csv = Path.Combine(root, "manifest.csv");
        File.WriteAllText(csv, "path,label,note\n\"img/one, two.jpg\",cat,\"said \"\"hi\"\"\"\nimg/three.jpg,dog,\nimg/gone.jpg,dog,\n");
        var dataset = DatasetLoader.Open(csv);
        Assert.Equal(["img/one, two.jpg", "img/three.jpg"], dataset.Photos.Select(p => p.Key));
        Assert.Equal(["cat", "dog"], dataset.SemanticLabels!);
        var skipped = Assert.Single(dataset.Skipped);
        Assert.EndsWith("gone.jpg", skipped.Path);
    }

    [Fact]
    public void A_manifest_without_a_path_column_names_its_columns()
    {
        var csv = Path.Combine(TestData.TempFolder("manifest"), "bad.csv");
        File.WriteAllText(csv, "file,label\na.jpg,cat\n");
        var error = Assert.Throws<InvalidDataException>(() => DatasetLoader.Open(csv));
        Assert.Contains("'path'", error.Message);
        Assert.Contains("file, label", error.Message);
    }

    private static string FlickrExif()
    {
        var root = TestData.TempFolder("flickrexif");
        File.WriteAllText(Path.Combine(root, FlickrExifDataset.TableName),
            "Flickr ID,url,owner,Make,Model,Exposure,Aperture,ISO Speed,Focal Length\n" +
            "1001,https://example.org/1001,a,NIKON CORPORATION,NIKON D750,1/250,f/2.8,400,50.0 mm\n" +
            "1002,https://example.org/1002,b,Canon,Canon EOS 5D Mark III,0.5,4,100,24 mm\n" +
            "1003,https://example.org/1003,c,NIKON CORPORATION,NIKON D750,1/60 sec,f/0,0,-1 mm\n" +
            "1004,https://example.org/1004,d,Canon,Canon EOS 5D Mark III,1/1000,f/8.0,200,85 mm\n" +
            "1005,https://example.org/1005,e,Apple,iPhone 8,1/30,f/1.8,25,3.99 mm\n");
        foreach (var (id, photo) in new[] { ("1001", 0), ("1002", 1), ("1003", 2), ("1004", 3) })
            Copy(photo, Path.Combine(root, "images", id + ".jpg"));
        Directory.CreateDirectory(Path.Combine(root, "splits"));
        // The reference code's split format, with its own class names.
        File.WriteAllText(Path.Combine(root, "splits", "split_data_target_attribute=Make.json"), """
            {"train_ids": ["1001", "1002"], "val_ids": [], "test_ids": ["1003", "1004"],
             "encoded_train_labels": [1, 0], "encoded_val_labels": [], "encoded_test_labels": [1, 0],
             "label_encoder_classes": ["Canon", "NIKON"], "target_attribute": "Make"}
            """);
        return root;
    }

    [Fact]
    public void FlickrExif_labels_come_from_its_table_normalised()
    {
        var dataset = DatasetLoader.Open(FlickrExif());
        Assert.Equal(["1001", "1002", "1003", "1004"], dataset.Photos.Select(p => p.Key));
        var labels = dataset.AcquisitionLabels!;
        Assert.Equal(("Nikon", "D750", "1/250 s", "f/2.8", 400, "50 mm"), (labels[0]!.Make, labels[0]!.Model, labels[0]!.Exposure, labels[0]!.Aperture, labels[0]!.Iso, labels[0]!.FocalLength));
        Assert.Equal(("Canon", "EOS 5D Mark III", "1/2 s", "f/4.0"), (labels[1]!.Make, labels[1]!.Model, labels[1]!.Exposure, labels[1]!.Aperture));
        Assert.Equal(("1/60 s", (string?)null, (int?)null, (string?)null), (labels[2]!.Exposure, labels[2]!.Aperture, labels[2]!.Iso, labels[2]!.FocalLength));
        var missing = Assert.Single(dataset.Skipped);
        Assert.EndsWith(FlickrExifDataset.TableName, missing.Path);
        Assert.Contains("1 of 5 listed Flickr IDs", missing.Reason);
        Assert.Contains("1005", missing.Reason);
        var make = dataset.Splits!["make"];
        Assert.Equal("test", make.Entries.Single(e => e.Id == "1004").Side);
        Assert.Equal("NIKON", make.Classes[make.Entries.Single(e => e.Id == "1003").Label]);
    }

    [Fact]
    public void FlickrExif_is_decoded_upright_and_lists_heic_files_and_missing_listed_images_as_departures()
    {
        var root = FlickrExif();
        File.WriteAllBytes(Path.Combine(root, "images", "1005.HEIC"), [0, 0, 0, 24]);
        File.WriteAllText(Path.Combine(root, "splits", "split_data_target_attribute=Model.json"), """
            {"train_ids": ["1001", "9999"], "val_ids": [], "test_ids": ["1003"],
             "encoded_train_labels": [0, 1], "encoded_val_labels": [], "encoded_test_labels": [0],
             "label_encoder_classes": ["D750", "iPhone 8"], "target_attribute": "Model"}
            """);

        var dataset = DatasetLoader.Open(root);

        // As Hugging Face datasets.Image (exif_transpose since 2.19), the reference's FlickrExif loader.
        Assert.Equal(Orientation.Upright, dataset.SourceOrientation);
        Assert.Contains(dataset.Departures, d => d.Contains("1 HEIC/HEIF image(s)"));
        Assert.Contains(dataset.Skipped, s => s.Path.EndsWith("1005.HEIC"));
        Assert.StartsWith("1 of 3 images its published split lists are missing", dataset.SplitDepartures["Model"]);
        Assert.False(dataset.SplitDepartures.ContainsKey("Make"));
        Assert.Contains(dataset.Departures, d => d.StartsWith("1 of 5 Flickr IDs of the table"));
    }

    [Fact]
    public async Task FlickrExif_reads_the_published_parquet_table()
    {
        var root = FlickrExif();
        var csv = CsvTable.Read(Path.Combine(root, FlickrExifDataset.TableName));
        File.Delete(csv.Path);
        // The same table as parquet, the Flickr ID as a 64-bit integer as published.
        var schema = new Parquet.Schema.ParquetSchema(csv.Columns.Select(c => c == "Flickr ID"
            ? (Parquet.Schema.Field)new Parquet.Schema.DataField<long>(c) : new Parquet.Schema.DataField<string>(c)).ToArray());
        var rows = csv.Rows.Select(r => (IDictionary<string, object?>)csv.Columns.Select((c, i) => (c, (object?)(c == "Flickr ID" ? long.Parse(r[i]) : r[i])))
            .ToDictionary(x => x.c, x => x.Item2)).ToList();
        await using (var stream = File.Create(Path.Combine(root, FlickrExifDataset.ParquetName)))
            await Parquet.Serialization.ParquetSerializer.SerializeUntypedAsync(rows, schema, stream);

        var dataset = DatasetLoader.Open(root);
        Assert.Equal(DatasetLayouts.FlickrExif, dataset.Layout);
        var labels = dataset.AcquisitionLabels!;
        Assert.Equal(("Nikon", "D750", "1/250 s", "f/2.8", 400, "50 mm"), (labels[0]!.Make, labels[0]!.Model, labels[0]!.Exposure, labels[0]!.Aperture, labels[0]!.Iso, labels[0]!.FocalLength));
        Assert.Contains("1005", Assert.Single(dataset.Skipped).Reason);
    }

    [Fact]
    public void A_split_with_an_id_on_two_sides_is_used_as_published_and_counted()
    {
        var root = FlickrExif();
        File.WriteAllText(Path.Combine(root, "splits", "split_data_target_attribute=ISO Speed.json"),
            """{"train_ids": [1001, 1002], "val_ids": [], "test_ids": [1001], "encoded_train_labels": [0, 1], "encoded_val_labels": [], "encoded_test_labels": [0], "label_encoder_classes": ["100", "400"]}""");
        var split = DatasetLoader.Open(root).Splits!["iso"];
        Assert.Equal(3, split.Entries.Count);
        Assert.Equal("1 id in train & test", split.OverlapText());
    }

    [Fact]
    public async Task Run_on_FlickrExif_uses_the_published_split_and_class_names()
    {
        var output = TestData.TempFolder("flickr-run");
        Assert.Equal(0, await RunCommand.ExecuteAsync(new JobSettings { Encoders = ["resnet18"], Tasks = ["make"], Images = FlickrExif(), Out = output, Quiet = true, MinTestPhotos = 1 }));
        var make = Summary.Read(Path.Combine(output, "summary.json")).Records.Single(r => r.Metric == "top1");
        Assert.Equal(["Canon", "NIKON"], make.Classes);
        Assert.Equal((2, 2), (make.NTrain, make.NTest));
    }

    [Fact]
    public void PairCams_export_pairs_each_subjects_phone_and_camera()
    {
        var root = TestData.TempFolder("paircams-export");
        for (var i = 0; i < 3; i++)
        {
            Copy(i, Path.Combine(root, "data", $"{i}-phone.jpg"));
            Copy(i + 3, Path.Combine(root, "data", $"{i}-camera.jpg"));
        }
        File.WriteAllText(Path.Combine(root, "metadata.csv"),
            "file_name,subject_idx,model\n" +
            "data/0-phone.jpg,0,iPhone XR\ndata/0-camera.jpg,0,Canon EOS 450D\n" +
            "data/1-phone.jpg,1,Pixel 4\ndata/1-camera.jpg,1,COOLPIX S200\n" +
            "data/2-phone.jpg,2,iPhone 12\ndata/2-camera.jpg,2,Unknown Cam 9\n");
        var (pairs, skipped) = PairCamsDataset.Read(root);
        Assert.Equal(["0", "1"], pairs.Select(p => p.Id));
        Assert.EndsWith("0-phone.jpg", pairs[0].Phone.Path);
        Assert.EndsWith("0-camera.jpg", pairs[0].Camera.Path);
        Assert.Contains(skipped, s => s.Reason.Contains("Unknown Cam 9"));
        Assert.Contains(skipped, s => s.Reason.Contains("subject 2"));
    }

    [Fact]
    public async Task PairCams_retrieval_finds_each_subjects_other_photo()
    {
        var root = TestData.TempFolder("paircams");
        var jpeg = ProcessingCatalog.Parse("JPEG75_420");
        for (var i = 0; i < 4; i++)
        {
            // The "camera" photo of a subject is a recompressed copy of its "phone" photo: a near-duplicate.
            Copy(i, Path.Combine(root, $"pair{i}", "phone.jpg"));
            ProcessingTool.Run(jpeg.Id, Path.Combine(root, $"pair{i}", "phone.jpg"), Path.Combine(root, $"pair{i}", "camera.jpg"), 0);
        }
        Copy(5, Path.Combine(root, "lonely", "phone.jpg"));
        var (pairs, skipped) = PairCamsDataset.Read(root);
        Assert.Equal(4, pairs.Count);
        Assert.Contains("lonely", Assert.Single(skipped).Path);

        var output = TestData.TempFolder("retrieval");
        Assert.Equal(0, await TraceProbeApp.RunAsync(["retrieval", "--dataset", root, "--encoders", "resnet18", "--out", output, "--quiet"]));
        var records = Summary.Read(Path.Combine(output, "summary.json")).Records;
        // Overall (both directions averaged), then per query class as the reference reports them.
        Assert.Equal(["hard", "easy", "hard:phone", "easy:phone", "hard:camera", "easy:camera"], records.Select(r => r.Setup));
        Assert.Equal("camera", records.Single(r => r.Setup == "easy:camera").Details!["query_class"]);
        Assert.All(records, r => Assert.Equal((1.0, 4, "recall@1"), (r.Value, r.NTest, r.Metric)));
    }
}

public sealed class GivenSplitDatasetTests
{
    private static void Copy(int photo, string destination)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.Copy(TestData.Photos[photo].Path, destination);
    }

    [Fact]
    public void ImageNet_layout_gives_classes_and_its_own_train_val_split()
    {
        var root = TestData.TempFolder("imagenet");
        Copy(0, Path.Combine(root, "train", "n01440764", "n01440764_10026.JPEG"));
        Copy(1, Path.Combine(root, "train", "n01443537", "n01443537_1.JPEG"));
        Copy(2, Path.Combine(root, "val", "n01440764", "ILSVRC2012_val_00000293.JPEG"));
        Copy(3, Path.Combine(root, "val", "n01443537", "ILSVRC2012_val_00000236.JPEG"));
        Copy(4, Path.Combine(root, "val", "stray.JPEG"));
        var dataset = DatasetLoader.Open(root);
        Assert.Equal(DatasetLayouts.ImageNet, dataset.Layout);
        Assert.Equal(["train", "train", "val", "val"], dataset.GivenSides!);
        Assert.Equal(["n01440764", "n01443537", "n01440764", "n01443537"], dataset.SemanticLabels!);
        Assert.Equal("val/n01440764/ILSVRC2012_val_00000293.JPEG", dataset.Photos[2].Key);
        Assert.Contains("stray.JPEG", Assert.Single(dataset.Skipped).Path);
        Assert.Equal(10, dataset.PaperK);
    }

    [Fact]
    public void Any_train_val_pair_of_class_folders_is_a_dataset_with_given_splits()
    {
        var root = TestData.TempFolder("trainval");
        Copy(0, Path.Combine(root, "train", "dogs", "a.jpg"));
        Copy(1, Path.Combine(root, "val", "dogs", "b.jpg"));
        var dataset = DatasetLoader.Open(root);
        Assert.Equal(DatasetLayouts.TrainVal, dataset.Layout);
        Assert.Equal(["train", "val"], dataset.GivenSides!);
    }

    [Fact]
    public void INaturalist_2018_split_files_give_categories_sides_and_k_1()
    {
        var root = TestData.TempFolder("inat");
        Copy(0, Path.Combine(root, "train_val2018", "Plantae", "7477", "a.jpg"));
        Copy(1, Path.Combine(root, "train_val2018", "Aves", "2101", "b.jpg"));
        // torchvision's INaturalist keeps the images under 2018/: found there too.
        Copy(2, Path.Combine(root, "2018", "train_val2018", "Plantae", "7477", "c.jpg"));
        File.WriteAllText(Path.Combine(root, "train2018.json"), """
            {"images": [{"id": 1, "file_name": "train_val2018/Plantae/7477/a.jpg"}, {"id": 2, "file_name": "train_val2018/Aves/2101/b.jpg"},
                        {"id": 3, "file_name": "train_val2018/Aves/2101/gone.jpg"}],
             "annotations": [{"id": 1, "image_id": 1, "category_id": 7477}, {"id": 2, "image_id": 2, "category_id": 2101}, {"id": 3, "image_id": 3, "category_id": 2101}],
             "categories": [{"id": 7477, "name": "x"}, {"id": 2101, "name": "y"}]}
            """);
        File.WriteAllText(Path.Combine(root, "val2018.json"), """
            {"images": [{"id": 9, "file_name": "train_val2018/Plantae/7477/c.jpg"}], "annotations": [{"id": 9, "image_id": 9, "category_id": 7477}]}
            """);
        var dataset = DatasetLoader.Open(root);
        Assert.Equal(DatasetLayouts.INaturalist2018, dataset.Layout);
        Assert.Equal(["7477", "2101", "7477"], dataset.SemanticLabels!);
        Assert.Equal(["train", "train", "val"], dataset.GivenSides!);
        Assert.Equal(1, dataset.PaperK);
        var missing = Assert.Single(dataset.Skipped);
        Assert.Contains("1 of 3 listed images", missing.Reason);
    }
}
