using System.Globalization;
using TraceProbe.Embeddings;
using TraceProbe.Experiments;
using TraceProbe.Probes;
using TraceProbe.Reports;
using TraceProbe.Results;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Integration;

/// <summary>Paper mode end to end on a small ImageNet-layout folder of real photos.</summary>
public sealed class PaperModeTests
{
    private sealed class RecordingObserver : ISuiteObserver
    {
        public List<string> Lines { get; } = [];
        public List<StageProgress> Progress { get; } = [];

        public async Task<T> RunAsync<T>(string title, Func<IProgress<StageProgress>, Task<T>> work) =>
            await work(new SynchronousProgress(Progress));

        public void Line(string message) => Lines.Add(message);

        private sealed class SynchronousProgress(List<StageProgress> sink) : IProgress<StageProgress>
        {
            public void Report(StageProgress value)
            {
                lock (sink) sink.Add(value);
            }
        }
    }

    /// <summary>train/&lt;wnid&gt;/ and val/&lt;wnid&gt;/ for two WordNet ids: 3 train and 2 val photos each.</summary>
    private static string ImageNetLayout()
    {
        var root = TestData.TempFolder("imagenet-paper");
        var photos = TestData.Photos;
        var n = 0;
        foreach (var wnid in new[] { "n01440764", "n01443537" })
            foreach (var (side, count) in new[] { ("train", 3), ("val", 2) })
                for (var i = 0; i < count; i++)
                {
                    var folder = Path.Combine(root, side, wnid);
                    Directory.CreateDirectory(folder);
                    File.Copy(photos[n++].Path, Path.Combine(folder, $"{wnid}_{i}.JPEG"));
                }
        return root;
    }

    [Fact]
    public async Task Paper_mode_on_an_ImageNet_layout_probes_whole_images_and_asks_val_against_train()
    {
        var output = TestData.TempFolder("paper-run");
        var observer = new RecordingObserver();
        var settings = new JobSettings
        {
            Encoders = ["resnet18"], Tasks = ["sharpen"], Images = ImageNetLayout(), Out = output, Protocol = ProbeProtocol.Paper, Quiet = true, MinTestPhotos = 1,
        };
        var outcome = await TraceSuite.RunAsync(settings, observer);
        var summary = outcome.Summary;

        // The cost is stated before the work, with an ETA from a measurement, and the work reports progress.
        Assert.Contains(observer.Lines, l => l.Contains("10 images (6 train, 4 val) × 3 processings × 1 encoder(s) = 30 embeddings"));
        Assert.Contains(observer.Lines, l => l.Contains("ms per embedding") && l.Contains("ETA"));
        Assert.Contains(observer.Progress, p => p.Stage == "embed" && p.Done == p.Total && p.Total == 30);

        // Probe: trained on the 6 train images (one class each per seed), tested on the 4 val images under all 3 classes.
        var top1 = summary.Records.Single(r => r.Experiment == "processing" && r.Metric == "top1");
        Assert.Equal((6, 12), (top1.NTrain, top1.NTest));
        Assert.Equal("TPE, 30 trials, once", top1.Details!["search"]);
        Assert.Equal("0 1 2 3 4 5 6 7 8 9", top1.Details["retrain_seeds"]);
        var perSeed = top1.Details["top1_per_seed"].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(10, perSeed.Length);
        var mean = perSeed.Average();
        Assert.Equal(mean, top1.Value, 12);
        // numpy's std (ddof 0) of the per-seed values.
        Assert.Equal(Math.Sqrt(perSeed.Sum(v => (v - mean) * (v - mean)) / 10), top1.Std!.Value, 12);

        // kNN: the 4 val images ask, the 6 train images answer, classes from the folders; no photo on both sides.
        var knn = summary.Records.Where(r => r.Experiment == "knn").ToList();
        Assert.Equal(["all-same", "pos-same", "neg-same", "all-diff", "uniform", "distraction"], knn.Select(r => r.Setup));
        Assert.All(knn, r =>
        {
            Assert.Equal(("4", "6", "2", "6"), (r.Details!["query_photos"], r.Details["database_photos"], r.Details["semantic_classes"], r.Details["k"]));
            Assert.Equal((4, 6), (r.NTest, r.NTrain));
        });
        // Its cost is stated before it starts, it reports progress as a stage, and it keeps a state file a rerun resumes from.
        Assert.Contains(observer.Lines, l => l.StartsWith("resnet18/sharpen: kNN influence: 9 similarity passes"));
        Assert.Contains(observer.Progress, p => p.Stage == "knn" && p.Done == 1000 && p.Total == 1000);
        Assert.True(File.Exists(Path.Combine(output, "cache", "knn", "resnet18", "sharpen.knn-state.bin")));
        // The knn command on the run's file asks val against train as the run did (with the reference's vote rule), and so reproduces it.
        var knnFromFile = EmbeddingsKnn.Run(TraceSuite.EmbeddingsPath(output, "resnet18", "sharpen"), new TraceProbe.Neighbours.KnnOptions { K = 10 }).Records;
        Assert.Equal(knn.Select(r => (r.Setup, r.Value, r.Std, r.Ci95![0], r.Ci95[1], r.NTest, r.NTrain)),
            knnFromFile.Select(r => (r.Setup, r.Value, r.Std, r.Ci95![0], r.Ci95[1], r.NTest, r.NTrain)));

        // The paper's protocol on the paper's layout, but 10 of ImageNet's 1.33 M images: that one departure, and the report says so.
        var departure = Assert.Single(summary.Settings[SettingNames.PaperDepartures].Split('\n'));
        Assert.Equal("a subset of ImageNet (ILSVRC-2012): 6 of 1,281,167 train and 4 of 50,000 val images, 2 of 1,000 classes; its numbers are not comparable with the paper's tables", departure);
        Assert.Equal("ImageNet", summary.Settings["dataset_layout"]);
        ReportWriter.Write(summary, output);
        var report = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("## Comparable with the paper?", report);
        Assert.DoesNotContain("nothing in this run departs from it", report);
        Assert.Contains("a subset of ImageNet", report);

        var file = EmbeddingsFile.Read(TraceSuite.EmbeddingsPath(output, "resnet18", "sharpen"));
        Assert.Equal(18, file.RequireSplit().Count(s => s == "train"));
        Assert.Equal(12, file.RequireSplit().Count(s => s == "test"));
        // The probe command on the file draws classes as the run did, and so reproduces it.
        var probed = EmbeddingsProbe.Run(file, new ProbeOptions { Protocol = ProbeProtocol.Paper }, seeds: 10);
        var fromFile = probed.Records.Single(r => r.Metric == "top1");
        Assert.Equal((top1.Value, top1.Std, top1.NTrain, top1.NTest), (fromFile.Value, fromFile.Std, fromFile.NTrain, fromFile.NTest));
        // The file names the photos the run's summary names, and the probe on it names them too.
        var source = file.SourceDataset!;
        Assert.Equal(summary.Manifest!.Dataset, new DatasetManifest(source.Root, source.Layout, source.Files, source.Sha256));
        Assert.Equal(summary.Manifest.Dataset, probed.Manifest!.Dataset);
    }

    [Fact]
    public async Task Paper_mode_shards_merge_into_the_runs_embeddings()
    {
        var images = ImageNetLayout();
        var settings = new JobSettings
        {
            Encoders = ["resnet18"], Tasks = ["resize"], Images = images, Protocol = ProbeProtocol.Paper, Quiet = true, ChunkSize = 4, KnnK = 0, ProbeSeeds = 1,
        };
        var sharded = TestData.TempFolder("paper-shards");
        foreach (var i in new[] { 0, 1 })
            await ShardedEmbedding.RunAsync(settings with { Out = sharded }, new Shard(i, 2), SilentObserver.Instance);
        // The manifests carry the file's own metadata only; the items' columns are one file beside them.
        var jobFolder = ShardedEmbedding.ManifestFolder(sharded, "resnet18", "resize");
        Assert.True(File.Exists(Path.Combine(jobFolder, ShardManifest.ItemsFileName)));
        Assert.All(Directory.GetFiles(jobFolder, "shard-*.json"), m => Assert.DoesNotContain("\"photos\"", File.ReadAllText(m)));
        ShardMerge.MergeAll(sharded, sharded);
        var single = TestData.TempFolder("paper-single");
        var ran = (await TraceSuite.RunAsync(settings with { Out = single }, SilentObserver.Instance)).Summary.Manifest!.Dataset!;

        var merged = EmbeddingsFile.Read(TraceSuite.EmbeddingsPath(sharded, "resnet18", "resize")).Set;
        var run = EmbeddingsFile.Read(TraceSuite.EmbeddingsPath(single, "resnet18", "resize")).Set;
        Assert.Equal(30, merged.Count);
        Assert.Equal(run.Keys, merged.Keys);
        Assert.Equal(run.Embeddings, merged.Embeddings);
        Assert.Equal(run.Metadata.OrderBy(kv => kv.Key), merged.Metadata.OrderBy(kv => kv.Key));
        // The photos with them: the run's, which every shard recorded.
        Assert.Equal(new SourceDataset(ran.Root, ran.Layout, ran.Files, ran.Sha256), SourceDataset.From(merged.Metadata, "merged"));
    }

    [Fact]
    public void Quick_mode_and_paper_mode_without_a_split_say_how_they_depart()
    {
        var folder = TestData.PhotoFolder(4);
        var dataset = TraceProbe.Datasets.DatasetLoader.Open(folder);
        var tasks = TaskSelection.Select(["jpeg"], kind: null);
        var quick = PaperMode.Departures(new JobSettings(), dataset, tasks, []);
        Assert.Contains(quick, d => d.Contains("random crops"));
        Assert.Contains(quick, d => d.Contains("Fast probe"));
        Assert.Contains(quick, d => d.Contains("1 probe seed(s), not 10"));
        Assert.Contains(quick, d => d.Contains("no semantic classes"));
        var paper = PaperMode.Departures(new JobSettings { Protocol = ProbeProtocol.Paper }, dataset, tasks, []);
        Assert.Contains(paper, d => d.Contains("no given train/val split"));
        Assert.DoesNotContain(paper, d => d.Contains("Fast probe"));
        // Its own sides: a seeded split by photo, the same for the same seed.
        Assert.Equal(PaperMode.Sides(dataset, new JobSettings()), PaperMode.Sides(dataset, new JobSettings()));
        Assert.Contains("val", PaperMode.Sides(dataset, new JobSettings()));
    }

    [Fact]
    public void Acquisition_departures_are_one_line_per_kind_naming_the_tasks()
    {
        var dataset = TraceProbe.Datasets.DatasetLoader.Open(TestData.PhotoFolder(4));
        var acquisition = TaskSelection.Select(["make", "model", "iso"], kind: null);
        var departures = PaperMode.Departures(new JobSettings(), dataset, [], acquisition);
        Assert.Contains("make, model, iso: split drawn from the photos' labels (top classes, balanced), not a published split file", departures);
        Assert.Contains("make, model, iso: Fast probe, not SGD with 30 TPE trials", departures);
        Assert.DoesNotContain(departures, d => d.StartsWith("make:", StringComparison.Ordinal));
        Assert.Equal(departures.Count, departures.Distinct().Count());
    }

    [Fact]
    public void Class_draws_are_uniform_and_differ_between_seeds()
    {
        var a = PaperProcessingExperiment.DrawClasses(6000, 3, 0);
        var b = PaperProcessingExperiment.DrawClasses(6000, 3, 1);
        Assert.Equal(a, PaperProcessingExperiment.DrawClasses(6000, 3, 0));
        Assert.NotEqual(a, b);
        foreach (var c in new[] { 0, 1, 2 }) Assert.InRange(a.Count(x => x == c), 1850, 2150);
    }
}
