using TraceProbe.Cli;
using TraceProbe.Embeddings;
using TraceProbe.Experiments;
using TraceProbe.Probes;
using TraceProbe.Results;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Cli;

public sealed class EmbeddingsFileCommandTests
{
    [Fact]
    public async Task Probing_the_written_embeddings_reproduces_the_runs_result()
    {
        // Two semantic classes (sub-folders): the kNN set-ups need them.
        var images = TestData.ClassFolders(8);
        var output = TestData.TempFolder("run");
        await RunCommand.ExecuteAsync(new JobSettings
        {
            Encoders = ["resnet18"], Tasks = ["jpeg"], Images = images, Out = output, Seed = 4,
            Crops = new CropPlanOptions { TrainCropsPerPhoto = 10, TestCropsPerPhoto = 2 }, Quiet = true, MinTestPhotos = 1,
        });
        var fromRun = Summary.Read(Path.Combine(output, "summary.json")).Records.Single(r => r.Metric == "top1");

        var file = Path.Combine(output, "embeddings", "resnet18", "jpeg.safetensors");
        var fromFile = EmbeddingsProbe.Run(EmbeddingsFile.Read(file), new ProbeOptions { Seed = 4 }, seeds: 1)
            .Records.Single(r => r.Metric == "top1");

        Assert.Equal((fromRun.Value, fromRun.NTrain, fromRun.NTest), (fromFile.Value, fromFile.NTrain, fromFile.NTest));
        Assert.Equal(fromRun.Classes, fromFile.Classes);
        Assert.Equal(fromRun.Confusion, fromFile.Confusion);
        // The same photos resampled with the same seed: the same interval.
        Assert.NotNull(fromFile.Ci95);
        Assert.Equal((fromRun.Ci95![0], fromRun.Ci95[1], fromRun.NTestPhotos), (fromFile.Ci95[0], fromFile.Ci95[1], fromFile.NTestPhotos));

        var knnFromRun = Summary.Read(Path.Combine(output, "summary.json")).Records.Where(r => r.Experiment == "knn").ToList();
        var knnFromFile = EmbeddingsKnn.Run(file, new TraceProbe.Neighbours.KnnOptions { K = 10, Seed = 4 }).Records;
        Assert.NotEmpty(knnFromRun);
        Assert.Equal(knnFromRun.Select(r => (r.Setup, r.Value, r.Std, r.Ci95![0], r.Ci95[1])), knnFromFile.Select(r => (r.Setup, r.Value, r.Std, r.Ci95![0], r.Ci95[1])));

        // The knn command streams the same file and keeps its state beside its output; a rerun resumes from it.
        var knnOut = TestData.TempFolder("knn-command");
        for (var run = 0; run < 2; run++)
        {
            Assert.Equal(ExitCodes.Success, await TraceProbeApp.RunAsync(["knn", "--embeddings", file, "--seed", "4", "--out", knnOut, "--quiet"]));
            Assert.True(File.Exists(Path.Combine(knnOut, KnnCommand.StateFile)));
            var fromCommand = Summary.Read(Path.Combine(knnOut, "summary.json")).Records;
            Assert.Equal(knnFromRun.Select(r => (r.Setup, r.Value, r.Ci95![0], r.Ci95[1])), fromCommand.Select(r => (r.Setup, r.Value, r.Ci95![0], r.Ci95[1])));
        }
    }

    [Fact]
    public void A_file_without_a_split_is_refused_naming_it()
    {
        var path = Path.Combine(TestData.TempFolder("probe"), "bare.safetensors");
        EmbeddingsFile.Write(path, new EmbeddingSet(new float[8], 4, ["a", "b"], ["JPEG75_420", "JPEG95_444"], new Dictionary<string, string>()));
        var error = Assert.Throws<InvalidDataException>(() => EmbeddingsProbe.Run(EmbeddingsFile.Read(path), new ProbeOptions(), 1));
        Assert.Contains(path, error.Message);
        Assert.Contains("split", error.Message);
    }
}
