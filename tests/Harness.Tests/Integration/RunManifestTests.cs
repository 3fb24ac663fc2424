using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TraceProbe.Cli;
using TraceProbe.Datasets;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Experiments;
using TraceProbe.Images;
using TraceProbe.Results;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Integration;

/// <summary>summary.json says exactly what ran: commit, command line, library versions, registry and dataset (or embeddings file).</summary>
public sealed class RunManifestTests
{
    [Fact]
    public async Task A_runs_summary_names_its_commit_argv_libraries_registry_and_dataset()
    {
        var images = TestData.PhotoFolder(4);
        var output = TestData.TempFolder("manifest");
        Assert.Equal(0, await RunCommand.ExecuteAsync(new JobSettings
        {
            Encoders = ["resnet18"], Tasks = ["jpeg"], Images = images, Out = output, KnnK = 0, Quiet = true, MinTestPhotos = 1,
            Crops = new CropPlanOptions { TrainCropsPerPhoto = 2, TestCropsPerPhoto = 1 },
        }));
        var json = File.ReadAllText(Path.Combine(output, "summary.json"));
        SummarySchema.AssertValid(json);
        var summary = Summary.Read(Path.Combine(output, "summary.json"));
        var manifest = summary.Manifest!;

        Assert.NotEmpty(manifest.Argv);
        Assert.Equal(RegistrySha256(), manifest.RegistrySha256);
        Assert.Equal(4, manifest.Dataset!.Files);
        Assert.Equal(DatasetFingerprint.Of(PhotoCollection.FromFolder(images)).Sha256, manifest.Dataset.Sha256);
        Assert.Equal(RunEnvironment.GitCommit, manifest.GitCommit);
        foreach (var library in new[] { "onnxruntime", "onnxruntime_native", "netvips", "libvips_native", "imagesharp", "metadataextractor" })
            Assert.False(string.IsNullOrEmpty(summary.Versions.GetValueOrDefault(library)), $"versions.{library} missing");
    }

    [Fact]
    public async Task The_probe_and_knn_summaries_name_their_commit_argv_libraries_registry_and_embeddings_file()
    {
        var file = EmbeddingsOfTwoClasses(TestData.TempFolder("manifest-embeddings"), encoder: "e");
        foreach (var command in new[] { "probe", "knn" })
        {
            var output = TestData.TempFolder($"manifest-{command}");
            Assert.Equal(ExitCodes.Success, await TraceProbeApp.RunAsync([command, "--embeddings", file, "--out", output, "--quiet"]));
            var json = File.ReadAllText(Path.Combine(output, "summary.json"));
            SummarySchema.AssertValid(json);
            var summary = Summary.Read(Path.Combine(output, "summary.json"));
            var manifest = summary.Manifest!;

            Assert.NotEmpty(summary.Records);
            Assert.NotEmpty(manifest.Argv);
            Assert.Equal(RunEnvironment.GitCommit, manifest.GitCommit);
            Assert.Equal(RegistrySha256(), manifest.RegistrySha256);
            Assert.Null(manifest.Dataset); // the file does not say which photos it was made from
            Assert.Equal(Path.GetFullPath(file), manifest.Embeddings!.Path);
            Assert.Equal(new FileInfo(file).Length, manifest.Embeddings.Bytes);
            Assert.Equal(HeaderSha256(file), manifest.Embeddings.HeaderSha256);
            foreach (var library in new[] { "traceprobe", ".net", "onnxruntime" })
                Assert.False(string.IsNullOrEmpty(summary.Versions.GetValueOrDefault(library)), $"{command}: versions.{library} missing");
        }
    }

    [Fact]
    public void The_embeddings_fingerprint_changes_with_the_files_header_and_not_with_its_place_on_disk()
    {
        var one = EmbeddingsFingerprint.Of(EmbeddingsOfTwoClasses(TestData.TempFolder("fingerprint-embeddings"), encoder: "e"));
        Assert.Equal(one, EmbeddingsFingerprint.Of(EmbeddingsOfTwoClasses(TestData.TempFolder("fingerprint-embeddings-copy"), encoder: "e")));
        var renamed = EmbeddingsFingerprint.Of(EmbeddingsOfTwoClasses(TestData.TempFolder("fingerprint-embeddings-other"), encoder: "f"));
        Assert.Equal(one.Bytes, renamed.Bytes);
        Assert.NotEqual(one.HeaderSha256, renamed.HeaderSha256);
    }

    /// <summary>24 photos under 3 processings of an unregistered task, 16 for training, two semantic classes: enough for probe and knn.</summary>
    private static string EmbeddingsOfTwoClasses(string folder, string encoder)
    {
        const int photos = 24, dim = 8;
        string[] processings = ["A", "B", "C"];
        var items = Enumerable.Range(0, photos * processings.Length).Select(i => (Photo: i / processings.Length, Processing: processings[i % processings.Length])).ToList();
        var rng = new Random(3);
        var values = Enumerable.Range(0, items.Count * dim).Select(i => (float)rng.NextDouble() + (i / dim % processings.Length == i % dim ? 1 : 0)).ToArray();
        var metadata = new Dictionary<string, string>(EmbeddingsFile.ItemMetadata(items.Select(i => $"p{i.Photo}.jpg"), items.Select(_ => 0),
            items.Select(i => i.Photo < 16 ? "train" : "test")))
        {
            [EmbeddingsFile.SemanticKey] = JsonSerializer.Serialize(items.Select(i => i.Photo % 2 == 0 ? "cat" : "dog")),
            [EmbeddingsFile.EncoderKey] = encoder,
            [EmbeddingsFile.TaskKey] = "t",
        };
        var path = Path.Combine(folder, "t.safetensors");
        EmbeddingsFile.Write(path, new EmbeddingSet(values, dim, items.Select(i => $"p{i.Photo}.jpg#{i.Processing}").ToList(), items.Select(i => i.Processing).ToList(), metadata));
        return path;
    }

    /// <summary>Written here from safetensors' layout (an 8-byte little-endian length, then the header's JSON), not with the program's reader.</summary>
    private static string HeaderSha256(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var length = (int)BitConverter.ToInt64(bytes, 0);
        return Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(8, length)));
    }

    [Fact]
    public void The_dataset_fingerprint_changes_with_a_files_name_or_size_and_not_with_its_place_on_disk()
    {
        var folder = TestData.PhotoFolder(3);
        var before = DatasetFingerprint.Of(PhotoCollection.FromFolder(folder));
        var copy = TestData.TempFolder("fingerprint-copy");
        foreach (var file in Directory.GetFiles(folder)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        Assert.Equal(before, DatasetFingerprint.Of(PhotoCollection.FromFolder(copy)));

        File.AppendAllText(Directory.GetFiles(copy)[0], "x");
        var grown = DatasetFingerprint.Of(PhotoCollection.FromFolder(copy));
        Assert.Equal(before.Files, grown.Files);
        Assert.NotEqual(before.Sha256, grown.Sha256);
    }

    [Fact]
    public void The_built_in_registry_hash_is_the_repositorys_encoders_json() =>
        Assert.Equal(EncoderRegistry.Sha256, RegistrySha256());

    private static string RegistrySha256()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "encoders.json")).ReplaceLineEndings("\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
