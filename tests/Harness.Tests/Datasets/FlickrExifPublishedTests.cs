using System.IO.Compression;
using System.Text.Json;
using TraceProbe.Acquisition;
using TraceProbe.Cli;
using TraceProbe.Datasets;
using TraceProbe.Experiments;
using TraceProbe.Probes;
using TraceProbe.Results;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Datasets;

/// <summary>
/// The reference repository's own split files (committed, compressed, under Datasets/Published) beside real photos
/// renamed to Flickr IDs: the reference layout, images/ + split files, nothing else.
/// </summary>
public sealed class FlickrExifPublishedTests
{
    private static string Published(string attribute) =>
        Path.Combine(AppContext.BaseDirectory, "Datasets", "Published", $"split_data_target_attribute={attribute}.json.gz");

    private static string Extract(string attribute, string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"split_data_target_attribute={attribute}.json");
        using var input = new GZipStream(File.OpenRead(Published(attribute)), CompressionMode.Decompress);
        using var output = File.Create(path);
        input.CopyTo(output);
        return path;
    }

    /// <summary>(id, side, label) of the first listed ids of a side and class, read straight from the JSON.</summary>
    private static List<(long Id, string Side, int Label)> Listed(string file, string side, int label, int count)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        var ids = doc.RootElement.GetProperty($"{side}_ids").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var labels = doc.RootElement.GetProperty($"encoded_{side}_labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return Enumerable.Range(0, ids.Length).Where(i => labels[i] == label).Take(count).Select(i => (ids[i], side, label)).ToList();
    }

    /// <summary>
    /// The reference layout for Make: images/&lt;Flickr ID&gt;.jpg for 2 train, 1 val and 1 test id of Apple, Canon and
    /// NIKON (real bundled photos renamed), and the published split file in splits/.
    /// </summary>
    private static (string Root, List<(long Id, string Side, int Label)> Placed) MakeLayout()
    {
        var root = TestData.TempFolder("flickrexif-published");
        var file = Extract("Make", Path.Combine(root, "splits"));
        var placed = new List<(long, string, int)>();
        foreach (var label in new[] { 0, 1, 4 })
            placed.AddRange(Listed(file, "train", label, 2).Concat(Listed(file, "val", label, 1)).Concat(Listed(file, "test", label, 1)));
        var photos = TestData.Photos;
        Directory.CreateDirectory(Path.Combine(root, "images"));
        for (var i = 0; i < placed.Count; i++)
            File.Copy(photos[i].Path, Path.Combine(root, "images", $"{placed[i].Item1}.jpg"));
        return (root, placed);
    }

    [Fact]
    public void The_reference_layout_alone_is_FlickrExif_with_the_published_classes()
    {
        var (root, placed) = MakeLayout();
        var dataset = DatasetLoader.Open(root);
        Assert.Equal(DatasetLayouts.FlickrExif, dataset.Layout);
        Assert.Equal(placed.Select(p => p.Id.ToString()).Order(StringComparer.Ordinal), dataset.Photos.Select(p => p.Key).Order(StringComparer.Ordinal));
        var make = dataset.Splits!["make"];
        Assert.Equal(["Apple", "Canon", "EASTMAN KODAK COMPANY", "FUJIFILM", "NIKON", "OLYMPUS OPTICAL CO.,LTD", "Panasonic", "SONY", "samsung"], make.Classes);
        Assert.Equal(35091 + 1800 + 4500, make.Entries.Count);
        Assert.Null(make.OverlapText());
        // No table: labels come from the split, not from a CSV.
        Assert.Null(dataset.AcquisitionLabels);
    }

    [Fact]
    public void Integer_ids_find_their_photos_on_their_published_side_and_class()
    {
        var (root, placed) = MakeLayout();
        var dataset = DatasetLoader.Open(root);
        var data = AcquisitionSplit.FromPublished(dataset.Photos, dataset.Splits!["make"])!;
        var found = data.Items.Select(i => (long.Parse(dataset.Photos[i.Photo].Key), i.Split, i.Label)).Order().ToList();
        Assert.Equal(placed.Order(), found);
        Assert.Equal(9, data.Classes.Count);
        Assert.Equal(41391 - placed.Count, data.MissingIds.Count);
    }

    [Fact]
    public void The_Model_split_keeps_ids_listed_on_two_sides_and_counts_them()
    {
        var root = TestData.TempFolder("flickrexif-model");
        var file = Extract("Model", Path.Combine(root, "splits"));
        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        long Id(string side, Func<long, bool>? where = null) =>
            doc.RootElement.GetProperty(side + "_ids").EnumerateArray().Select(e => e.GetInt64()).First(where ?? (_ => true));
        var test = doc.RootElement.GetProperty("test_ids").EnumerateArray().Select(e => e.GetInt64()).ToHashSet();
        long both = Id("train", test.Contains), trainOnly = Id("train", id => !test.Contains(id)), testOnly = Id("test", id => id != both);
        Directory.CreateDirectory(Path.Combine(root, "images"));
        var photos = TestData.Photos;
        File.Copy(photos[0].Path, Path.Combine(root, "images", $"{both}.jpg"));
        File.Copy(photos[1].Path, Path.Combine(root, "images", $"{trainOnly}.jpg"));
        File.Copy(photos[2].Path, Path.Combine(root, "images", $"{testOnly}.jpg"));

        var split = DatasetLoader.Open(root).Splits!["model"];
        Assert.Equal(88, split.Classes.Count);
        Assert.Equal("36 ids in train & test, 9 in val & test", split.OverlapText());
        var dataset = DatasetLoader.Open(root);
        var data = AcquisitionSplit.FromPublished(dataset.Photos, split)!;
        Assert.Equal(4, data.Items.Count);
        Assert.Equal(["test", "train"], data.Items.Where(i => dataset.Photos[i.Photo].Key == both.ToString()).Select(i => i.Split).Order());
        Assert.Equal(1, data.OverlappingPhotos);
    }

    [Fact]
    public void String_ids_are_read_as_well_and_images_may_lie_beside_the_split_files()
    {
        var root = TestData.TempFolder("flickrexif-strings");
        File.Copy(TestData.Photos[0].Path, Path.Combine(root, "abc.jpg"));
        File.WriteAllText(Path.Combine(root, "split_data_target_attribute=Flash.json"), """
            {"train_ids": ["abc"], "val_ids": [], "test_ids": ["xyz"], "encoded_train_labels": [1], "encoded_val_labels": [],
             "encoded_test_labels": [0], "label_encoder_classes": ["without flash", "with flash"], "target_attribute": "Flash"}
            """);
        var dataset = DatasetLoader.Open(root);
        var data = AcquisitionSplit.FromPublished(dataset.Photos, dataset.Splits!["flash"])!;
        var item = Assert.Single(data.Items);
        Assert.Equal(("train", 1), (item.Split, item.Label));
        Assert.Equal(["xyz"], data.MissingIds);
    }

    [Fact]
    public async Task Paper_run_trains_on_train_tunes_on_val_tests_on_test_and_summarises_the_missing_ids()
    {
        var (root, placed) = MakeLayout();
        var output = TestData.TempFolder("flickr-paper");
        Assert.Equal(0, await RunCommand.ExecuteAsync(new JobSettings
        {
            Encoders = ["resnet18"], Tasks = ["make"], Images = root, Out = output, Quiet = true, Protocol = ProbeProtocol.Paper, MinTestPhotos = 1,
        }));
        var summary = Summary.Read(Path.Combine(output, "summary.json"));
        var top1 = summary.Records.Single(r => r.Task == "make" && r.Metric == "top1");
        Assert.Equal(["Apple", "Canon", "EASTMAN KODAK COMPANY", "FUJIFILM", "NIKON", "OLYMPUS OPTICAL CO.,LTD", "Panasonic", "SONY", "samsung"], top1.Classes);
        // Retrained on train + val (the val ids tuned the search), tested once on test.
        Assert.Equal(placed.Count(p => p.Side != "test"), top1.NTrain);
        Assert.Equal(placed.Count(p => p.Side == "test"), top1.NTest);
        Assert.Equal((1.0 / 9), top1.Chance!.Value, 12);
        Assert.Equal("3", top1.Details!["validation_photos"]);
        Assert.Equal("TPE, 30 trials, once", top1.Details["search"]);
        // The reference code's mask; what departs is only the download: the reference cannot run without every listed id.
        Assert.Equal("MASK_95", top1.Details["mask"]);
        Assert.Equal($"make: {41391 - placed.Count:N0} of 41,391 images its published split lists are missing, so its classes are not the published ones (the reference fails on a missing id)",
            summary.Settings[SettingNames.PaperDepartures]);
        Assert.Equal((41391 - placed.Count).ToString(), top1.Details["published_ids_missing"]);
        // One summarised line for the tens of thousands of ids not downloaded, not one per id.
        var missing = Assert.Single(summary.Skipped, s => s.Path.EndsWith("split_data_target_attribute=Make.json"));
        Assert.Contains($"{41391 - placed.Count:N0} of 41,391", missing.Reason);
        Assert.True(summary.Skipped.Count < 5);
    }
}
