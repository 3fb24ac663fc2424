using TraceProbe.Common;
using TraceProbe.Embeddings;
using TraceProbe.Experiments;
using TraceProbe.Neighbours;
using TraceProbe.Results;
using TraceProbe.Tests.Neighbours;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Experiments;

public class KnnInfluenceStageTests
{
    private const int Photos = 12, CropsPerPhoto = 4, P = 3, Dim = 16;

    /// <summary>Items in plan order (photo, crop, processing), crop 3 a training crop kNN must skip; 3 semantic classes.</summary>
    private static (List<TraceItem> Items, float[] X, bool[] Done, string?[] Classes, string Path) Data(string name)
    {
        var items = new List<TraceItem>();
        for (var photo = 0; photo < Photos; photo++)
            for (var crop = 0; crop < CropsPerPhoto; crop++)
                for (var p = 0; p < P; p++)
                    items.Add(new TraceItem(items.Count, photo, crop, default, p, IsTest: crop != 3));
        var x = CosineKnnTests.UnitRows(new SeededRandom(6), items.Count, Dim);
        var done = Enumerable.Repeat(true, items.Count).ToArray();
        done[7] = false; // photo 0, crop 2, processing 1 was not made: that crop is left out
        var classes = Enumerable.Range(0, Photos).Select(p => "class" + p % 3).ToArray<string?>();
        var path = System.IO.Path.Combine(TestData.TempFolder(name), "e.safetensors");
        var keys = items.Select(i => $"p{i.Photo}#crop{i.Crop}").ToList();
        EmbeddingsFile.Write(path, new EmbeddingSet(x, Dim, keys, items.Select(i => $"P{i.Label}").ToList(), new Dictionary<string, string>()));
        return (items, x, done, classes, path);
    }

    private static readonly RecordScope Scope = new() { Encoder = "e", Family = "Control", Experiment = ExperimentNames.Processing, Task = "t" };

    private static List<(string, double, double?, double, double, int, int, int?)> Shown(IEnumerable<SummaryRecord> records) =>
        records.Select(r => (r.Setup, r.Value, r.Std, r.Ci95![0], r.Ci95[1], r.NTest, r.NTrain, r.NTestPhotos)).ToList();

    [Fact]
    public void Streaming_from_the_embeddings_file_gives_the_in_memory_records_and_logs_cost_and_progress()
    {
        var (items, x, done, classes, path) = Data("knn-stage");
        var options = new KnnOptions { K = 3, Seed = 1, UniformSeeds = 2 };

        var inMemory = KnnInfluenceStage.Run(x, Dim, items, done, P, Scope, options, classes);
        var lines = new List<string>();
        var hooks = new KnnStageHooks { Line = lines.Add, Progress = new KnnProgressLog(lines.Add, TimeSpan.Zero) };
        var streamed = KnnInfluenceStage.Run(path, Dim, items, done, P, Scope, options, classes, hooks);

        Assert.Equal(6, inMemory.Count);
        // Values and their intervals alike: the same queries in the same order, resampled by photo.
        Assert.Equal(Shown(inMemory), Shown(streamed));
        Assert.Equal(35, inMemory[0].NTest + inMemory[0].NTrain); // 12 photos × 3 held-out crops, less the one not made
        Assert.StartsWith("e/t: kNN influence: 9 similarity passes", lines[0]);
        Assert.Contains("the reference's per-triple script runs 33", lines[0]); // P³ + P·seeds = 27 + 6
        Assert.Contains(lines, l => l.Contains("% after"));
        Assert.StartsWith("kNN influence: 100.0%", lines[^1]);
    }

    [Fact]
    public void The_stages_cancellation_token_stops_the_similarity_passes()
    {
        // `run` passes its Ctrl+C token in the hooks: the first Ctrl+C must stop kNN, not only the embedding.
        var (items, x, done, classes, _) = Data("knn-stage-cancel");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => KnnInfluenceStage.Run(x, Dim, items, done, P, Scope,
            new KnnOptions { K = 3, Seed = 1, UniformSeeds = 2 }, classes, new KnnStageHooks { Cancel = cancel.Token }));
    }

    [Fact]
    public void The_in_memory_stage_reads_the_runs_rows_where_they_are()
    {
        // Rows placed at other indices of a larger array (with rows of noise around them) give the same records.
        var (items, x, done, classes, _) = Data("knn-stage-rows");
        var options = new KnnOptions { K = 3, Seed = 5, UniformSeeds = 3 };
        var moved = new float[x.Length * 2];
        var noise = CosineKnnTests.UnitRows(new SeededRandom(9), items.Count, Dim);
        var relocated = items.Select(i => i with { Index = 2 * i.Index + 1 }).ToList();
        for (var i = 0; i < items.Count; i++)
        {
            x.AsSpan(i * Dim, Dim).CopyTo(moved.AsSpan((2 * i + 1) * Dim));
            noise.AsSpan(i * Dim, Dim).CopyTo(moved.AsSpan(2 * i * Dim));
        }
        var movedDone = new bool[moved.Length / Dim];
        for (var i = 0; i < items.Count; i++) movedDone[2 * i + 1] = done[i];

        Assert.Equal(Shown(KnnInfluenceStage.Run(x, Dim, items, done, P, Scope, options, classes)),
            Shown(KnnInfluenceStage.Run(moved, Dim, relocated, movedDone, P, Scope, options, classes)));
    }

    /// <summary>Killed after a few passes (an exception from the progress callback), rerun with the state file: the same records.</summary>
    [Fact]
    public void An_interrupted_stage_resumes_from_its_state_file_with_the_same_records()
    {
        var (items, _, done, classes, path) = Data("knn-stage-resume");
        var options = new KnnOptions { K = 3, Seed = 3, UniformSeeds = 2, QueryRowsInMemory = 5 }; // 4 query blocks: 36 passes
        var uninterrupted = KnnInfluenceStage.Run(path, Dim, items, done, P, Scope, options, classes);

        var state = System.IO.Path.Combine(TestData.TempFolder("knn-stage-state"), "knn-state.bin");
        var reports = 0;
        var killer = new KnnStageHooks { StatePath = state, Progress = new SyncProgress(_ => { if (++reports == 12) throw new OperationCanceledException("killed"); }) };
        Assert.Throws<OperationCanceledException>(() => KnnInfluenceStage.Run(path, Dim, items, done, P, Scope, options, classes, killer));
        Assert.True(File.Exists(state));

        var resumedReports = new List<KnnProgress>();
        var resumed = KnnInfluenceStage.Run(path, Dim, items, done, P, Scope, options, classes,
            new KnnStageHooks { StatePath = state, Progress = new SyncProgress(resumedReports.Add) });
        Assert.Equal(Shown(uninterrupted), Shown(resumed));
        // The 11 passes done before the kill were not redone (one report per pass: one database block each).
        Assert.Equal(36 - 11, resumedReports.Count);
        Assert.Equal(1.0, resumedReports[^1].Fraction);
        // The work resumed: 9 passes over blocks of 5 queries and 2 over the last block's 3, of 18 queries × 9 passes.
        Assert.All(resumedReports, r => Assert.Equal((9 * 5 + 2 * 3) / 162.0, (double)r.MultiplyAddsResumed / r.MultiplyAddsTotal, 12));
    }

    [Fact]
    public async Task A_quick_run_states_the_knn_cost_and_reports_its_progress_through_the_observer()
    {
        var images = TestData.ClassFolders(8, "knn-stage-classes");
        var observer = new RecordingObserver();
        var output = TestData.TempFolder("knn-stage-run");
        await TraceSuite.RunAsync(new JobSettings
        {
            Encoders = ["resnet18"], Tasks = ["jpeg"], Images = images, Out = output, Seed = 4,
            Crops = new CropPlanOptions { TrainCropsPerPhoto = 6, TestCropsPerPhoto = 2 }, Quiet = true, MinTestPhotos = 1,
        }, observer);

        Assert.Contains(observer.Lines, l => l.StartsWith("resnet18/jpeg: kNN influence: 36 similarity passes"));
        Assert.Contains(observer.Progress, p => p.Stage == "knn" && p.Done == 1000 && p.Total == 1000);
        // Quick mode's kNN takes seconds: it keeps no state file.
        Assert.False(Directory.Exists(System.IO.Path.Combine(output, "cache", "knn")));
    }

    private sealed class RecordingObserver : ISuiteObserver
    {
        public List<string> Lines { get; } = [];
        public List<StageProgress> Progress { get; } = [];

        public Task<T> RunAsync<T>(string title, Func<IProgress<StageProgress>, Task<T>> work) => work(new SyncStageProgress(Progress));

        public void Line(string message) => Lines.Add(message);

        private sealed class SyncStageProgress(List<StageProgress> sink) : IProgress<StageProgress>
        {
            public void Report(StageProgress value)
            {
                lock (sink) sink.Add(value);
            }
        }
    }

    private sealed class SyncProgress(Action<KnnProgress> report) : IProgress<KnnProgress>
    {
        public void Report(KnnProgress value) => report(value);
    }
}
