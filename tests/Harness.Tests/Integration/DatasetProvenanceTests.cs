using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using TraceProbe.Cli;
using TraceProbe.Datasets;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Experiments;
using TraceProbe.Images;
using TraceProbe.Results;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Integration;

/// <summary>
/// The photos an embeddings file was embedded from travel with it: `run`, `embed` + `merge`, `extract` and `retrieval`
/// write them into its metadata, and `probe` and `knn` on the file name them in their summary's manifest as the run's
/// summary does.
/// </summary>
public sealed class DatasetProvenanceTests
{
    private static DatasetManifest? AsManifest(SourceDataset? source) =>
        source is null ? null : new DatasetManifest(source.Root, source.Layout, source.Files, source.Sha256);

    [Fact]
    public async Task A_runs_embeddings_file_names_its_photos_and_probe_and_knn_on_it_report_them()
    {
        var output = TestData.TempFolder("provenance-run");
        Assert.Equal(0, await RunCommand.ExecuteAsync(new JobSettings
        {
            Encoders = ["resnet18"], Tasks = ["jpeg"], Images = TestData.ClassFolders(8, "provenance-classes"), Out = output, KnnK = 0, Quiet = true, MinTestPhotos = 1,
            Crops = new CropPlanOptions { TrainCropsPerPhoto = 4, TestCropsPerPhoto = 2 },
        }));
        var ran = Summary.Read(Path.Combine(output, "summary.json")).Manifest!.Dataset;
        Assert.Equal(8, ran!.Files);
        var path = TraceSuite.EmbeddingsPath(output, "resnet18", "jpeg");
        var file = EmbeddingsFile.ReadHeader(path);
        Assert.Equal(ran, AsManifest(file.SourceDataset));
        Assert.Equal(EncoderRegistry.Sha256, file.Set.Metadata[EmbeddingsFile.RegistryKey]);

        foreach (var command in new[] { "probe", "knn" })
        {
            var commandOut = TestData.TempFolder($"provenance-{command}");
            Assert.Equal(ExitCodes.Success, await TraceProbeApp.RunAsync([command, "--embeddings", path, "--out", commandOut, "--quiet"]));
            SummarySchema.AssertValid(File.ReadAllText(Path.Combine(commandOut, "summary.json")));
            var manifest = Summary.Read(Path.Combine(commandOut, "summary.json")).Manifest!;
            Assert.Equal(ran, manifest.Dataset);
            Assert.Equal(Path.GetFullPath(path), manifest.Embeddings!.Path);
            Assert.Contains($"SHA-256 of names and sizes {ran.Sha256}", File.ReadAllText(Path.Combine(commandOut, "report.md")));
        }
    }

    private static JobSettings Embed(string images, string output) => new()
    {
        Encoders = ["resnet18"], Tasks = ["jpeg"], Images = images, Out = output, Seed = 5, BatchSize = 4, ChunkSize = 8,
        Crops = new() { TrainCropsPerPhoto = 2, TestCropsPerPhoto = 1 }, Quiet = true,
    };

    [Fact]
    public async Task Merged_shards_name_the_photos_they_were_embedded_from()
    {
        var images = TestData.PhotoFolder(4);
        var output = TestData.TempFolder("provenance-shards");
        foreach (var i in new[] { 0, 1 })
            await EmbedCommand.ExecuteAsync(Embed(images, output), new Shard(i, 2));
        Assert.Equal(0, MergeCommand.Execute(output, null, quiet: true));

        var file = EmbeddingsFile.ReadHeader(Path.Combine(output, "embeddings", "resnet18", "jpeg.safetensors"));
        var fingerprint = DatasetFingerprint.Of(PhotoCollection.FromFolder(images));
        Assert.Equal(new SourceDataset(Path.GetFullPath(images), DatasetLoader.Open(images).Layout, 4, fingerprint.Sha256), file.SourceDataset);
        Assert.Equal(EncoderRegistry.Sha256, file.Set.Metadata[EmbeddingsFile.RegistryKey]);
    }

    [Fact]
    public async Task Shards_that_saw_different_photos_are_not_merged_and_a_shard_that_names_none_leaves_the_file_without()
    {
        var images = TestData.PhotoFolder(4);
        var output = TestData.TempFolder("provenance-mixed");
        await EmbedCommand.ExecuteAsync(Embed(images, output), new Shard(0, 2));
        // The same names, one file grown (bytes after a JPEG's end do not change its pixels): other photos by their fingerprint.
        File.AppendAllText(Directory.GetFiles(images)[0], "x");
        await EmbedCommand.ExecuteAsync(Embed(images, output), new Shard(1, 2));
        var error = Assert.Throws<InvalidDataException>(() => MergeCommand.Execute(output, null, quiet: true));
        Assert.Contains("shard 0/2", error.Message);
        Assert.Contains("shard 1/2", error.Message);
        Assert.Contains("same photos", error.Message);

        // A shard written before shards recorded their photos: the merged file names none, and probes as before.
        var manifest = Path.Combine(ShardedEmbedding.ManifestFolder(output, "resnet18", "jpeg"), "shard-1-of-2.json");
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        Assert.True(json["metadata"]!.AsObject().Remove(SourceDataset.Key));
        File.WriteAllText(manifest, json.ToJsonString());
        Assert.Equal(0, MergeCommand.Execute(output, null, quiet: true));
        var path = Path.Combine(output, "embeddings", "resnet18", "jpeg.safetensors");
        Assert.Null(EmbeddingsFile.ReadHeader(path).SourceDataset);
        var probeOut = TestData.TempFolder("provenance-unnamed");
        Assert.Equal(ExitCodes.Success, await TraceProbeApp.RunAsync(["probe", "--embeddings", path, "--out", probeOut, "--quiet"]));
        Assert.Null(Summary.Read(Path.Combine(probeOut, "summary.json")).Manifest!.Dataset);
    }

    [Fact]
    public async Task Extracts_file_names_the_folder_it_read_by_a_fingerprint_of_its_names_and_sizes()
    {
        var images = TestData.PhotoFolder(3);
        var path = Path.Combine(TestData.TempFolder("provenance-extract"), "e.safetensors");
        Assert.Equal(ExitCodes.Success, await TraceProbeApp.RunAsync(["extract", "--encoder", "resnet18", "--images", images, "--out", path, "--quiet"]));

        // Computed here as docs/summary.schema.json defines it, not by DatasetFingerprint: "name\tsize\n" per photo, in ordinal order.
        var lines = Directory.GetFiles(images).Select(f => new FileInfo(f)).OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => $"{f.Name}\t{f.Length}\n");
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(lines))));
        var file = EmbeddingsFile.ReadHeader(path);
        Assert.Equal(new SourceDataset(Path.GetFullPath(images), DatasetLayouts.Folder, 3, sha256), file.SourceDataset);
        Assert.Equal(EncoderRegistry.Sha256, file.Set.Metadata[EmbeddingsFile.RegistryKey]);
    }

    [Fact]
    public async Task Retrievals_summary_and_embeddings_file_name_the_same_photos_those_of_its_complete_pairs()
    {
        var root = TestData.TempFolder("provenance-paircams");
        foreach (var (id, phone, camera) in new[] { ("a", 0, 1), ("b", 2, 3) })
        {
            Directory.CreateDirectory(Path.Combine(root, id));
            File.Copy(TestData.Photos[phone].Path, Path.Combine(root, id, "phone.jpg"));
            File.Copy(TestData.Photos[camera].Path, Path.Combine(root, id, "camera.jpg"));
        }
        // A subject without its camera photo is skipped, and so not among the photos named.
        Directory.CreateDirectory(Path.Combine(root, "lonely"));
        File.Copy(TestData.Photos[4].Path, Path.Combine(root, "lonely", "phone.jpg"));

        var output = TestData.TempFolder("provenance-retrieval");
        Assert.Equal(ExitCodes.Success, await TraceProbeApp.RunAsync(["retrieval", "--dataset", root, "--encoders", "resnet18", "--out", output, "--quiet"]));
        SummarySchema.AssertValid(File.ReadAllText(Path.Combine(output, "summary.json")));
        var ran = Summary.Read(Path.Combine(output, "summary.json")).Manifest!.Dataset;
        var (pairs, _) = PairCamsDataset.Read(root);
        var fingerprint = DatasetFingerprint.Of(pairs.SelectMany(p => new[] { p.Phone, p.Camera }).ToList());
        Assert.Equal(new DatasetManifest(Path.GetFullPath(root), PairCamsDataset.Layout, 4, fingerprint.Sha256), ran);
        var file = EmbeddingsFile.ReadHeader(TraceSuite.EmbeddingsPath(output, "resnet18", RetrievalSuite.TaskId));
        Assert.Equal(ran, AsManifest(file.SourceDataset));
        Assert.Equal(EncoderRegistry.Sha256, file.Set.Metadata[EmbeddingsFile.RegistryKey]);
    }

    [Fact]
    public void A_source_dataset_that_is_not_one_is_refused_when_the_file_is_opened()
    {
        var path = Path.Combine(TestData.TempFolder("provenance-malformed"), "e.safetensors");
        var columns = ItemColumns.FromMetadata(["a", "b"], ["P", "Q"], new Dictionary<string, string>(), "test");
        using (var writer = EmbeddingsFile.Create(path, 1, columns, new Dictionary<string, string> { [SourceDataset.Key] = "imagenet" }))
            writer.Complete([true, true]);
        var error = Assert.Throws<InvalidDataException>(() => EmbeddingsFile.ReadHeader(path));
        Assert.Contains(path, error.Message);
        Assert.Contains($"'{SourceDataset.Key}'", error.Message);
    }
}
