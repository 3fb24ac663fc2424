using System.Security.Cryptography;
using System.Text;
using TraceProbe.Cli;
using TraceProbe.Datasets;
using TraceProbe.Encoders;
using TraceProbe.Experiments;
using TraceProbe.Images;
using TraceProbe.Results;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Integration;

/// <summary>summary.json says exactly what ran: commit, command line, library versions, registry and dataset.</summary>
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
