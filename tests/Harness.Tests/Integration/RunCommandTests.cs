using System.Text.Json;
using TraceProbe.Cli;
using TraceProbe.Embeddings;
using TraceProbe.Experiments;
using TraceProbe.Results;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Integration;

/// <summary>The whole path — photos, JPEG trace, real ResNet18, probe, summary and report — on a few bundled photos.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public async Task Run_on_a_few_bundled_photos_writes_a_consistent_summary_and_report()
    {
        var images = TestData.PhotoFolder(6);
        File.WriteAllText(Path.Combine(images, "broken.jpg"), "not a jpeg");
        var output = TestData.TempFolder("results");

        var exit = await RunCommand.ExecuteAsync(new JobSettings
        {
            Encoders = ["resnet18"],
            Tasks = ["jpeg"],
            Images = images,
            Out = output,
            Seed = 12, // a seed that holds out two readable photos (the broken one trains, and is skipped)
            Crops = new CropPlanOptions { TrainCropsPerPhoto = 6, TestCropsPerPhoto = 2 },
            Quiet = true,
            MinTestPhotos = 1, // 2 held-out photos: below the default gate, which another test covers
        });

        Assert.Equal(ExitCodes.Success, exit);
        SummarySchema.AssertValid(File.ReadAllText(Path.Combine(output, "summary.json")));
        var summary = Summary.Read(Path.Combine(output, "summary.json"));
        Assert.Equal("traceprobe.summary/1", summary.Schema);
        Assert.Equal(12UL, summary.Seed);
        var top1 = Assert.Single(summary.Records, r => r.Metric == "top1");
        Assert.Equal(("resnet18", "SUP", "processing", "jpeg", "probe"), (top1.Encoder, top1.Family, top1.Experiment, top1.Task, top1.Setup));
        Assert.Equal(6, top1.Classes.Count);
        Assert.Equal(1.0 / 6, top1.Chance!.Value, 9);
        // 7 photos, one unreadable: of the 6 usable, 2 are held out (1/3) → 4×6 training crops, 2×2×6 test items.
        Assert.Equal(24, top1.NTrain);
        Assert.Equal(24, top1.NTest);
        Assert.Equal(top1.NTest, top1.Confusion!.Sum(row => row.Sum()));
        Assert.Equal(top1.Value, top1.Confusion!.Select((row, i) => row[i]).Sum() / (double)top1.NTest, 9);
        // The interval: over the 2 held-out photos, around the value.
        Assert.Equal(2, top1.NTestPhotos);
        Assert.InRange(top1.Value, top1.Ci95![0], top1.Ci95[1]);
        var skipped = Assert.Single(summary.Skipped);
        Assert.EndsWith("broken.jpg", skipped.Path);
        Assert.False(string.IsNullOrWhiteSpace(skipped.Reason));

        Assert.True(File.Exists(Path.Combine(output, "summary.csv")));
        Assert.True(File.Exists(Path.Combine(output, "figures", "probe-processing-jpeg.png")));
        var file = EmbeddingsFile.Read(Path.Combine(output, "embeddings", "resnet18", "jpeg.safetensors"));
        var embeddings = file.Set;
        // The file names its layout by token, and its items' columns are tensors, not header JSON.
        Assert.Equal(("quick", TraceProbe.Common.ProcessingLayout.QuickCrops), (embeddings.Metadata[EmbeddingsFile.LayoutKey], file.Layout));
        Assert.Equal(EmbeddingsFile.FormatId, embeddings.Metadata[EmbeddingsFile.FormatKey]);
        Assert.False(file.Done[Array.FindIndex(file.Photos.ToArray(), p => p.EndsWith("broken.jpg"))]);
        // The unreadable photo keeps its place in the plan (5 training photos × 6 crops, 2 test × 2 × 6), marked not done.
        Assert.Equal((5 * 6 + 2 * 2 * 6, 512), (embeddings.Count, embeddings.Dim));
        var report = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("| resnet18 | SUP | processing | jpeg |", report);
        Assert.Contains("broken.jpg", report);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "summary.json")));
        Assert.True(json.RootElement.GetProperty("records")[0].TryGetProperty("n_train", out _), "summary.json uses snake_case fields");
    }

    [Fact]
    public async Task An_unknown_encoder_is_a_settings_error_naming_it()
    {
        var error = await Assert.ThrowsAsync<TraceProbe.Common.SettingsException>(() => RunCommand.ExecuteAsync(new JobSettings
        {
            Encoders = ["no-such-encoder"],
            Quiet = true,
        }));
        Assert.Contains("no-such-encoder", error.Message);
    }
}

public sealed class RunOptionsTests
{
    private static JobSettings Small(string images, string output) => new()
    {
        Encoders = ["resnet18"],
        Tasks = ["jpeg"],
        Images = images,
        Out = output,
        Crops = new CropPlanOptions { TrainCropsPerPhoto = 4, TestCropsPerPhoto = 1 },
        Quiet = true,
        MinTestPhotos = 1,
    };

    [Fact]
    public async Task Probe_seeds_give_a_mean_and_a_std()
    {
        var output = TestData.TempFolder("seeds");
        Assert.Equal(0, await RunCommand.ExecuteAsync(Small(TestData.PhotoFolder(4), output) with { ProbeSeeds = 3 }));
        var top1 = Summary.Read(Path.Combine(output, "summary.json")).Records.Single(r => r.Metric == "top1");
        Assert.NotNull(top1.Std);
        Assert.Equal("3", top1.Details!["seeds"]);
    }

    [Fact]
    public async Task Skip_existing_keeps_finished_records_without_recomputing()
    {
        var images = TestData.PhotoFolder(4);
        var output = TestData.TempFolder("skip");
        Assert.Equal(0, await RunCommand.ExecuteAsync(Small(images, output)));
        var first = Summary.Read(Path.Combine(output, "summary.json")).Records;
        Directory.Delete(Path.Combine(output, "cache"), recursive: true);

        Assert.Equal(0, await RunCommand.ExecuteAsync(Small(images, output) with { SkipExisting = true }));
        Assert.False(Directory.Exists(Path.Combine(output, "cache")), "the skipped task was embedded again");
        Assert.Equal(first, Summary.Read(Path.Combine(output, "summary.json")).Records, new RecordComparer());
    }

    [Fact]
    public async Task Skip_existing_recomputes_records_made_with_another_seed()
    {
        var images = TestData.PhotoFolder(4);
        var output = TestData.TempFolder("skip-seed");
        Assert.Equal(0, await RunCommand.ExecuteAsync(Small(images, output)));
        Assert.Contains("seed=", Summary.Read(Path.Combine(output, "summary.json")).Settings[SettingNames.ResumeSettings]);

        // Seed 1 instead of the first run's: its records (and only new ones) must be in the summary.
        var lines = new List<string>();
        var observer = new LineObserver(lines);
        var again = await TraceSuite.RunAsync(Small(images, output) with { SkipExisting = true, Seed = Small(images, output).Seed + 1 }, observer);
        Assert.Contains(lines, l => l.Contains("nothing kept") && l.Contains("seed:"));
        Assert.DoesNotContain(lines, l => l.Contains("kept ") && l.Contains("record(s)"));
        var top1 = again.Summary.Records.Single(r => r.Metric == "top1");
        Assert.Equal((Small(images, output).Seed + 1).ToString(), top1.Details!["seed"]);
    }

    [Fact]
    public async Task Skip_existing_recomputes_records_of_another_model_file()
    {
        var images = TestData.PhotoFolder(4);
        var output = TestData.TempFolder("skip-model");
        Assert.Equal(0, await RunCommand.ExecuteAsync(Small(images, output)));
        var path = Path.Combine(output, "summary.json");
        var summary = Summary.Read(path);
        // The same settings, but records stamped with another model's hash: as if the .onnx file had been replaced.
        var forged = summary with
        {
            Records = summary.Records.Select(r => r with { Details = new Dictionary<string, string>(r.Details!) { ["model_sha256"] = new string('0', 64) } }).ToList(),
        };
        forged.Write(path);
        var lines = new List<string>();
        await TraceSuite.RunAsync(Small(images, output) with { SkipExisting = true }, new LineObserver(lines));
        Assert.Contains(lines, l => l.Contains("another model file"));
    }

    private sealed class LineObserver(List<string> lines) : ISuiteObserver
    {
        public Task<T> RunAsync<T>(string title, Func<IProgress<StageProgress>, Task<T>> work) => work(new Progress<StageProgress>(_ => { }));
        public void Line(string message) => lines.Add(message);
    }

    private sealed class RecordComparer : IEqualityComparer<SummaryRecord>
    {
        public bool Equals(SummaryRecord? a, SummaryRecord? b) =>
            (a?.Encoder, a?.Task, a?.Metric, a?.Value, a?.NTrain, a?.NTest) == (b?.Encoder, b?.Task, b?.Metric, b?.Value, b?.NTrain, b?.NTest);

        public int GetHashCode(SummaryRecord r) => HashCode.Combine(r.Encoder, r.Task, r.Metric);
    }
}

public sealed class DownstreamTests
{
    [Fact]
    public async Task Run_reports_knn_setups_and_erasure_of_the_trace()
    {
        var output = TestData.TempFolder("downstream");
        Assert.Equal(0, await RunCommand.ExecuteAsync(new JobSettings
        {
            Encoders = ["resnet18"], Tasks = ["jpeg"], Images = TestData.ClassFolders(12), Out = output, Seed = 2,
            Crops = new CropPlanOptions { TrainCropsPerPhoto = 12, TestCropsPerPhoto = 4 }, KnnK = 3, Erase = ["jpeg"], Quiet = true, MinTestPhotos = 1,
        }));
        var summary = Summary.Read(Path.Combine(output, "summary.json"));
        SummarySchema.AssertValid(File.ReadAllText(Path.Combine(output, "summary.json")));

        var knn = summary.Records.Where(r => r.Experiment == "knn").ToList();
        Assert.Equal(["all-same", "pos-same", "neg-same", "all-diff", "uniform", "distraction"], knn.Select(r => r.Setup));
        // 4 held-out photos × 4 crops; each photo wholly a query or wholly in the database.
        Assert.All(knn, r =>
        {
            int queries = int.Parse(r.Details!["query_photos"]), database = int.Parse(r.Details["database_photos"]);
            Assert.Equal(4, queries + database);
            Assert.Equal((4 * queries, 4 * database), (r.NTest, r.NTrain));
            Assert.Equal("2", r.Details["semantic_classes"]);
        });
        var pos = knn.Single(r => r.Setup == "pos-same").Value;
        var neg = knn.Single(r => r.Setup == "neg-same").Value;
        Assert.Equal(Math.Abs(pos - neg), knn.Single(r => r.Setup == "distraction").Value, 12);
        Assert.NotNull(knn.Single(r => r.Setup == "uniform").Std);

        var erased = summary.Records.Where(r => r.Experiment == "erasure").ToList();
        Assert.Contains(erased, r => r.Setup == "probe" && r.Metric == "top1");
        Assert.Contains(erased, r => r.Setup == "distraction");
        Assert.Contains("## Trace erasure", File.ReadAllText(Path.Combine(output, "report.md")));
        Assert.True(File.Exists(Path.Combine(output, "figures", "knn-jpeg.png")));
    }

    [Fact]
    public async Task Without_semantic_classes_knn_is_not_run_and_the_run_says_why()
    {
        var output = TestData.TempFolder("no-classes");
        Assert.Equal(0, await RunCommand.ExecuteAsync(new JobSettings
        {
            Encoders = ["resnet18"], Tasks = ["sharpen"], Images = TestData.PhotoFolder(6), Out = output,
            Crops = new CropPlanOptions { TrainCropsPerPhoto = 4, TestCropsPerPhoto = 2 }, Quiet = true,
        }));
        var summary = Summary.Read(Path.Combine(output, "summary.json"));
        Assert.DoesNotContain(summary.Records, r => r.Experiment == "knn");
        Assert.Contains("kNN influence needs semantic classes", summary.Settings["notes"]);
    }

    [Fact]
    public async Task Erasing_a_task_that_is_not_run_is_a_settings_error()
    {
        var error = await Assert.ThrowsAsync<TraceProbe.Common.SettingsException>(() => RunCommand.ExecuteAsync(new JobSettings
        {
            Encoders = ["resnet18"], Tasks = ["jpeg"], Erase = ["sharpen"], Out = TestData.TempFolder("x"), Quiet = true,
        }));
        Assert.Contains("sharpen", error.Message);
    }
}

public sealed class AcquisitionRunTests
{
    [Fact]
    public async Task The_make_of_the_bundled_photos_is_probed_with_a_masked_centre()
    {
        var output = TestData.TempFolder("acquisition");
        Assert.Equal(0, await RunCommand.ExecuteAsync(new JobSettings
        {
            Encoders = ["resnet18"], Tasks = ["make", "iso"], Out = output, Quiet = true, MinTestPhotos = 1,
        }));
        var summary = Summary.Read(Path.Combine(output, "summary.json"));
        SummarySchema.AssertValid(File.ReadAllText(Path.Combine(output, "summary.json")));
        var make = summary.Records.Single(r => r.Task == "make" && r.Metric == "top1");
        Assert.Equal("acquisition", make.Experiment);
        // Makes with 3+ photos: Canon 5, Nikon 3, Olympus 6, Pentax 6 → 3 per class, 1 of them held out.
        Assert.Equal(["Canon", "Nikon", "Olympus", "Pentax"], make.Classes);
        Assert.Equal(4, make.NTest);
        Assert.Equal(4, make.NTestPhotos);
        Assert.Equal("MASK_90", make.Details!["mask"]);
        Assert.Contains(summary.Records, r => r.Task == "iso" && r.Metric == "top1");
        Assert.True(File.Exists(Path.Combine(output, "embeddings", "resnet18", "make.safetensors")));
    }

    [Fact]
    public async Task Mask_ratio_0_probes_the_unmasked_input_as_the_references_plain_extraction()
    {
        var masked = TestData.TempFolder("acquisition-masked");
        var unmasked = TestData.TempFolder("acquisition-unmasked");
        Assert.Equal(0, await RunCommand.ExecuteAsync(new JobSettings { Encoders = ["resnet18"], Tasks = ["make"], Out = masked, Quiet = true, MinTestPhotos = 1 }));
        Assert.Equal(0, await RunCommand.ExecuteAsync(new JobSettings { Encoders = ["resnet18"], Tasks = ["make"], Out = unmasked, Quiet = true, MaskRatio = 0, MinTestPhotos = 1 }));
        var make = Summary.Read(Path.Combine(unmasked, "summary.json")).Records.Single(r => r.Task == "make" && r.Metric == "top1");
        Assert.Equal("UNMASKED", make.Details!["mask"]);
        var a = EmbeddingsFile.Read(Path.Combine(masked, "embeddings", "resnet18", "make.safetensors")).Set;
        var b = EmbeddingsFile.Read(Path.Combine(unmasked, "embeddings", "resnet18", "make.safetensors")).Set;
        Assert.All(b.Processing, p => Assert.Equal("UNMASKED", p));
        // Same photos, other inputs: the mask (and its JPEG recompression) changed every embedding.
        Assert.Equal(a.Keys, b.Keys);
        Assert.NotEqual(a.Embeddings.AsSpan(0, a.Dim).ToArray(), b.Embeddings.AsSpan(0, b.Dim).ToArray());
    }

    [Fact]
    public async Task Acquisition_results_on_a_few_held_out_photos_are_listed_as_not_run()
    {
        var output = TestData.TempFolder("acquisition-gate");
        Assert.Equal(0, await RunCommand.ExecuteAsync(new JobSettings { Encoders = ["resnet18"], Tasks = ["make"], Out = output, Quiet = true }));
        var summary = Summary.Read(Path.Combine(output, "summary.json"));
        SummarySchema.AssertValid(File.ReadAllText(Path.Combine(output, "summary.json")));
        Assert.DoesNotContain(summary.Records, r => r.Task == "make");
        var notRun = Assert.Single(summary.NotRun);
        Assert.Equal(("resnet18", "acquisition", "make", 4), (notRun.Encoder, notRun.Experiment, notRun.Task, notRun.TestPhotos));
        Assert.Contains("at least 10", notRun.Reason);
        Assert.Contains("## Not run", File.ReadAllText(Path.Combine(output, "report.md")));
    }

    [Fact]
    public async Task An_acquisition_task_without_labelled_photos_is_not_run_with_the_experiments_own_reason()
    {
        var images = TestData.TempFolder("no-exif");
        for (var i = 0; i < 3; i++)
            using (var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(32, 32))
                SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, Path.Combine(images, $"p{i}.png"));
        var outcome = await TraceSuite.RunAsync(new JobSettings { Encoders = ["resnet18"], Tasks = ["make"], Images = images, Out = TestData.TempFolder("no-exif-out"), Quiet = true },
            SilentObserver.Instance);
        var notRun = Assert.Single(outcome.Summary.NotRun);
        Assert.Equal(("acquisition", "make"), (notRun.Experiment, notRun.Task));
        Assert.Contains($"{new TraceProbe.Acquisition.AcquisitionSplitOptions().MinPerClass}+ labelled photos", notRun.Reason);
    }
}
