using TraceProbe.Cli;
using TraceProbe.Embeddings;
using TraceProbe.Experiments;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Embeddings;

/// <summary>
/// Work split over shards, or interrupted by kill -9 and resumed, gives byte-identical embeddings files
/// to one uninterrupted run.
/// </summary>
public sealed class ShardAndResumeTests
{
    private static JobSettings Job(string images, string output, int trainCrops) => new()
    {
        Encoders = ["resnet18"],
        Tasks = ["jpeg"],
        Images = images,
        Out = output,
        Seed = 5,
        BatchSize = 4,
        ChunkSize = 8,
        Crops = new() { TrainCropsPerPhoto = trainCrops, TestCropsPerPhoto = 1 },
        Quiet = true,
    };

    private static string[] Args(string images, string output, int trainCrops, string shard) =>
    [
        "embed", "--encoders", "resnet18", "--tasks", "jpeg", "--images", images, "--out", output, "--seed", "5",
        "--batch-size", "4", "--chunk-size", "8", "--train-crops", trainCrops.ToString(), "--test-crops", "1",
        "--shard", shard, "--quiet",
    ];

    private static byte[] Merged(string output)
    {
        Assert.Equal(0, MergeCommand.Execute(output, null, quiet: true));
        return File.ReadAllBytes(Path.Combine(output, "embeddings", "resnet18", "jpeg.safetensors"));
    }

    [Fact]
    public async Task Three_shards_merged_equal_a_single_run()
    {
        var images = TestData.PhotoFolder(4);
        var single = TestData.TempFolder("single");
        await EmbedCommand.ExecuteAsync(Job(images, single, 4), Shard.All);
        var expected = Merged(single);

        var sharded = TestData.TempFolder("sharded");
        for (var i = 0; i < 3; i++)
            await EmbedCommand.ExecuteAsync(Job(images, sharded, 4), new Shard(i, 3));
        Assert.Equal(expected, Merged(sharded));

        var set = EmbeddingsFile.Read(Path.Combine(sharded, "embeddings", "resnet18", "jpeg.safetensors")).Set;
        // 4 photos: 3 train × 4 crops + 1 test × 1 crop × 6 classes.
        Assert.Equal(18, set.Count);
        Assert.Equal(512, set.Dim);
    }

    [Fact]
    public async Task Merge_names_a_missing_shard()
    {
        var images = TestData.PhotoFolder(3);
        var output = TestData.TempFolder("partial");
        await EmbedCommand.ExecuteAsync(Job(images, output, 4), new Shard(0, 2));
        var error = Assert.Throws<InvalidDataException>(() => MergeCommand.Execute(output, null, quiet: true));
        Assert.Contains("1/2", error.Message);
    }

    [Fact]
    public async Task A_run_killed_midway_resumes_to_the_same_embeddings()
    {
        var images = TestData.PhotoFolder(6);
        const int trainCrops = 12;
        var reference = TestData.TempFolder("uninterrupted");
        await EmbedCommand.ExecuteAsync(Job(images, reference, trainCrops), Shard.All);
        var expected = Merged(reference);

        var output = TestData.TempFolder("killed");
        var cache = Path.Combine(output, "cache");
        using (var process = TraceProbeProcess.Start(Args(images, output, trainCrops, "0/1")))
        {
            // Wait until some chunks are finished but not all (the job has 11 chunks), then kill -9.
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (DateTime.UtcNow < deadline && !process.HasExited &&
                   (!Directory.Exists(cache) || Directory.EnumerateFiles(cache, "*.safetensors", SearchOption.AllDirectories).Count() < 3))
                await Task.Delay(50);
            Assert.False(process.HasExited, "the run finished before it could be killed; give it more work");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var finishedBefore = Directory.EnumerateFiles(cache, "*.safetensors", SearchOption.AllDirectories).Count();
        Assert.InRange(finishedBefore, 3, 10);
        Assert.False(File.Exists(Path.Combine(output, "shards", "resnet18", "jpeg", "shard-0-of-1.json")));

        Assert.Equal(0, await TraceProbeProcess.RunAsync(Args(images, output, trainCrops, "0/1")));
        Assert.Equal(expected, Merged(output));
    }
}

/// <summary>The Slurm job-array script in docs/ really runs: array tasks as shards, then the merge step.</summary>
public sealed class ClusterScriptTests
{
    [Fact]
    public async Task Slurm_script_embeds_as_an_array_then_merges_and_probes()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "cluster", "slurm-embed.sh");
        var images = TestData.PhotoFolder(4);
        var output = TestData.TempFolder("slurm");
        async Task Step(string step, int task)
        {
            var info = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(script);
            info.Environment["IMAGES"] = images;
            info.Environment["OUT"] = output;
            info.Environment["APP"] = AppContext.BaseDirectory;
            info.Environment["STEP"] = step;
            info.Environment["SLURM_ARRAY_TASK_ID"] = task.ToString();
            info.Environment["SLURM_ARRAY_TASK_COUNT"] = "2";
            info.Environment["SLURM_CPUS_PER_TASK"] = "1";
            info.Environment["EXTRA_ARGS"] = "--train-crops 3 --test-crops 1 --chunk-size 4 --min-test-photos 1 --quiet";
            using var process = System.Diagnostics.Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"{step} {task}: {await stderr}");
        }
        await Step("embed", 0);
        await Step("embed", 1);
        await Step("merge", 0);
        Assert.True(File.Exists(Path.Combine(output, "embeddings", "resnet18", "jpeg.safetensors")));
        var summary = TraceProbe.Results.Summary.Read(Path.Combine(output, "summary.json"));
        Assert.Contains(summary.Records, r => r.Encoder == "resnet18" && r.Task == "jpeg" && r.Metric == "top1");
    }
}

/// <summary>The shard manifest's JSON is its own format, written and read with its own settings.</summary>
public sealed class ShardManifestFormatTests
{
    [Fact]
    public void A_manifest_round_trips_with_snake_case_fields_and_a_wrong_schema_is_refused_naming_the_file()
    {
        var folder = TestData.TempFolder("manifest");
        var path = Path.Combine(folder, ShardManifest.FileName(new Shard(1, 3)));
        var manifest = new ShardManifest
        {
            Name = "resnet18/jpeg", ShardIndex = 1, ShardCount = 3, ChunkCount = 7, ItemCount = 70,
            Chunks = [new ShardManifest.ManifestChunk(2, 20, 10, "abc")],
            Metadata = new Dictionary<string, string> { ["encoder"] = "resnet18" },
        };
        manifest.Write(path);
        var json = File.ReadAllText(path);
        Assert.Contains("\"shard_index\": 1", json);
        Assert.Contains("\"chunk_count\": 7", json);
        var back = ShardManifest.Read(path);
        Assert.Equal((manifest.Name, 1, 3, 7, 70), (back.Name, back.ShardIndex, back.ShardCount, back.ChunkCount, back.ItemCount));
        Assert.Equal(manifest.Chunks, back.Chunks);

        File.WriteAllText(path, json.Replace(ShardManifest.SchemaId, "traceprobe.summary/1"));
        var error = Assert.Throws<InvalidDataException>(() => ShardManifest.Read(path));
        Assert.Contains(path, error.Message);
    }
}
