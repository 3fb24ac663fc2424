using System.Diagnostics;
using System.Globalization;
using TraceProbe.Common;
using TraceProbe.Datasets;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Neighbours;
using TraceProbe.Probes;

namespace TraceProbe.Experiments;

/// <summary>
/// What paper mode (<c>--protocol paper</c>) decides beyond a single experiment: the train/val sides, the paper's
/// seeds and k, how a run departs from the paper's protocol, and what it will cost.
/// </summary>
public static class PaperMode
{
    /// <summary>The summary setting that lists, one per line, how the run departs from the paper's protocol.</summary>
    public const string DeparturesKey = Results.SettingNames.PaperDepartures;

    /// <summary>The reference's probe seeds: the processing search (22), the acquisition probe (42).</summary>
    public const ulong ProcessingSearchSeed = 22, AcquisitionSeed = 42;

    /// <summary>The centre mask of the reference code's acquisition extraction (MASK_95; the paper's text says 0.9).</summary>
    public const double MaskRatio = 0.95;

    /// <summary>The k the paper uses on this dataset unless the run asks for another (an explicit 10 stays 10).</summary>
    public static int K(JobSettings s, Dataset dataset) => s.KnnK ?? dataset.PaperK;

    /// <summary>The dataset's own train/val sides, or, when it has none, a seeded split by photo (its val share: the crops' test fraction).</summary>
    public static IReadOnlyList<string> Sides(Dataset dataset, JobSettings s)
    {
        if (dataset.GivenSides is { } given) return given;
        var photos = dataset.Photos;
        var order = Enumerable.Range(0, photos.Count)
            .OrderBy(i => Seeds.Derive(s.Seed, "paper-split:" + photos[i].Key)).ToArray();
        var valCount = Math.Clamp((int)Math.Round(photos.Count * s.Crops.TestFraction), 1, Math.Max(1, photos.Count - 1));
        var sides = Enumerable.Repeat(PaperProcessingExperiment.Train, photos.Count).ToArray();
        foreach (var i in order.Take(valCount)) sides[i] = PaperProcessingExperiment.Val;
        return sides;
    }

    /// <summary>The processing experiment's options in paper mode.</summary>
    public static PaperProcessingOptions ProcessingOptions(JobSettings s, Dataset dataset, EmbeddingCache cache) => new()
    {
        // --protocol is the optimiser alone (Paper unless asked otherwise with --layout paper --protocol fast).
        Probe = new ProbeOptions { Protocol = s.Protocol },
        Pipeline = new EmbeddingPipelineOptions { BatchSize = s.BatchSize, ChunkSize = s.ChunkSize },
        Cache = cache,
        SearchSeed = ProcessingSearchSeed + s.Seed,
        Seeds = Enumerable.Range(0, s.ProbeSeedsOrDefault).Select(i => s.Seed + (ulong)i).ToArray(),
        Seed = s.Seed,
        // The reference's vote: a one-hot count, then a descending sort (see KnnVoteTieBreak.SmallestClass).
        Knn = s.KnnK != 0 ? new KnnOptions { K = K(s, dataset), Seed = s.Seed, VoteTieBreak = KnnVoteTieBreak.SmallestClass }.OnDevice(s.Device) : null,
        KnnStateFolder = Path.Combine(cache.Folder, "knn"),
    };

    /// <summary>
    /// Every way the run departs from the paper's protocol, in words; empty in paper mode on the paper's own data
    /// layouts with the paper's settings.
    /// </summary>
    public static IReadOnlyList<string> Departures(JobSettings s, Dataset dataset, IReadOnlyList<TraceTaskSpec> processing, IReadOnlyList<TraceTaskSpec> acquisition)
    {
        var d = new List<string>(dataset.Departures);
        // The layout (crops or whole images) and the optimiser (--protocol) depart separately.
        var paper = s.LayoutOrDefault == ProcessingLayout.PaperWholeImages;
        var paperProbe = s.Protocol == ProbeProtocol.Paper;
        if (processing.Count > 0)
        {
            if (!paperProbe) d.Add("Fast probe (L-BFGS along a regularisation path), not SGD with momentum tuned by 30 TPE trials");
            if (!paper)
            {
                d.Add("quick mode: processing probes on random crops of a few photos, not on whole images of a dataset's train/val split");
                if (s.KnnK != 0) d.Add("quick mode: kNN on the held-out photos' crops, dealt to queries or database, not val queries against the train database");
            }
            else if (dataset.GivenSides is null)
                d.Add($"no given train/val split ({dataset.Layout}): photos split at random by photo ({s.Crops.TestFraction:0.##} as val)");
            if (s.ProbeSeedsOrDefault != 10)
                d.Add($"{s.ProbeSeedsOrDefault} probe seed(s), not 10");
            if (s.KnnK == 0) d.Add("kNN influence skipped (--knn-k 0)");
            else if (dataset.SemanticLabels is null) d.Add("no semantic classes: kNN influence not run");
            else if (paper && K(s, dataset) != dataset.PaperK) d.Add($"kNN with k = {K(s, dataset)}, the paper's is {dataset.PaperK} on this dataset");
            if (s.Erase.Count > 0) d.Add(paper ? "trace erasure is not part of the paper; not run in paper mode" : "trace erasure (--erase) is an addition to the paper's protocol");
        }
        // Acquisition departures name the tasks they concern, one line per kind of departure (not one per task).
        var byDeparture = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string departure, string taskId)
        {
            if (!byDeparture.TryGetValue(departure, out var tasks)) byDeparture[departure] = tasks = [];
            tasks.Add(taskId);
        }
        foreach (var task in acquisition)
        {
            if (dataset.SplitDepartures.GetValueOrDefault(task.Attribute!) is { } shortfall) Add(shortfall, task.Id);
            if (dataset.Splits?.ContainsKey(task.Attribute!) != true)
                Add("split drawn from the photos' labels (top classes, balanced), not a published split file", task.Id);
            var ratio = s.MaskRatio ?? (paper ? MaskRatio : task.MaskRatio ?? 0.9);
            if (ratio != 0 && ratio != MaskRatio)
                Add($"centre mask {ratio.ToString("0.##", CultureInfo.InvariantCulture)}; the reference code masks 0.95 (--mask-ratio 0.95) or not at all (--mask-ratio 0)", task.Id);
            else if (ratio == 0)
                Add("unmasked (--mask-ratio 0): the reference's plain extraction, not the masked variant its FlickrExif tables report", task.Id);
            if (!paperProbe) Add("Fast probe, not SGD with 30 TPE trials", task.Id);
        }
        foreach (var (departure, tasks) in byDeparture) d.Add($"{string.Join(", ", tasks)}: {departure}");
        return d;
    }

    /// <summary>Embeddings paper mode will make: (images, processings summed over tasks, embeddings in all).</summary>
    public static (int Images, int Processings, long Embeddings) Count(IReadOnlyList<string> sides, IReadOnlyList<TraceTaskSpec> processing, int encoders)
    {
        var images = sides.Count(x => x is PaperProcessingExperiment.Train or PaperProcessingExperiment.Val);
        var processings = processing.Sum(t => t.Classes.Count);
        return (images, processings, (long)images * processings * encoders);
    }

    /// <summary>
    /// Seconds per embedding of whole processed images: one image warms up, then the first task's classes on the
    /// next two photos are timed, without the cache.
    /// </summary>
    public static async Task<double> MeasureAsync(OnnxEncoder encoder, TraceTaskSpec task, IReadOnlyList<Images.Photo> photos,
        IReadOnlyList<string> sides, JobSettings s, CancellationToken cancel)
    {
        var used = Enumerable.Range(0, sides.Count).Where(i => sides[i] is PaperProcessingExperiment.Train or PaperProcessingExperiment.Val).Take(3).ToArray();
        string[] Only(IEnumerable<int> chosen)
        {
            var set = chosen.ToHashSet();
            return Enumerable.Range(0, sides.Count).Select(i => set.Contains(i) ? PaperProcessingExperiment.Train : "unused").ToArray();
        }
        var pipeline = new EmbeddingPipeline(encoder, new EmbeddingPipelineOptions { BatchSize = 1 }, null);
        var warm = PaperProcessingExperiment.Plan(encoder, task, photos, Only(used.Take(1)), s.Seed);
        await pipeline.RunAsync(warm with { Items = warm.Items.Take(1).ToList() }, Shard.All, null, cancel);
        var timed = PaperProcessingExperiment.Plan(encoder, task, photos, Only(used.Skip(1)), s.Seed);
        if (timed.Items.Count == 0) return double.NaN;
        var clock = Stopwatch.StartNew();
        await pipeline.RunAsync(timed, Shard.All, null, cancel);
        return clock.Elapsed.TotalSeconds / Math.Max(1, timed.Items.Count);
    }

    /// <summary>What paper mode will do, stated before it starts.</summary>
    public static string CostLine(IReadOnlyList<string> sides, (int Images, int Processings, long Embeddings) cost, int encoders, int seeds) =>
        $"Paper mode: {cost.Images:N0} images ({sides.Count(x => x == PaperProcessingExperiment.Train):N0} train, " +
        $"{sides.Count(x => x == PaperProcessingExperiment.Val):N0} val) × {cost.Processings} processings × {encoders} encoder(s) = " +
        $"{cost.Embeddings:N0} embeddings, plus {seeds} probe seeds after a 30-trial search per task.";

    /// <summary>The ETA from a short measurement with the first encoder, and the memory a task's embeddings take.</summary>
    public static async Task<IReadOnlyList<string>> MeasuredLinesAsync(OnnxEncoder encoder, TraceTaskSpec first, IReadOnlyList<TraceTaskSpec> tasks,
        IReadOnlyList<Images.Photo> photos, IReadOnlyList<string> sides, (int Images, int Processings, long Embeddings) cost, JobSettings s, CancellationToken cancel)
    {
        var lines = new List<string>();
        var perEmbedding = await MeasureAsync(encoder, first, photos, sides, s, cancel);
        if (double.IsFinite(perEmbedding))
            lines.Add($"Paper mode: {1000 * perEmbedding:0} ms per embedding measured on {encoder.Spec.Id}; embedding ETA ≈ {Duration(perEmbedding * cost.Embeddings)} (other encoders scaled as this one; probe training not included).");
        // A task's embeddings go to its file as they are made; the probe holds one class draw of the training images
        // and the val images under every class.
        var largest = tasks.Max(t => t.Classes.Count);
        int train = sides.Count(x => x == PaperProcessingExperiment.Train), val = sides.Count(x => x == PaperProcessingExperiment.Val);
        var file = (double)cost.Images * largest * encoder.Dim * sizeof(float);
        var probe = ((double)train + (double)val * largest) * encoder.Dim * sizeof(float);
        lines.Add($"Paper mode: a task's embeddings file takes up to {Size(file)} on disk; its probe holds {Size(probe)} in memory ({encoder.Spec.Id}, {encoder.Dim} dimensions).");
        return lines;
    }

    private static string Size(double bytes) => bytes >= 1 << 30 ? $"{bytes / (1 << 30):0.#} GiB" : $"{bytes / (1 << 20):0.#} MiB";

    /// <summary>"3 h 20 min", "12 min", "40 s".</summary>
    public static string Duration(double seconds) => seconds switch
    {
        < 90 => $"{seconds:0} s",
        < 5400 => $"{seconds / 60:0} min",
        _ => $"{Math.Floor(seconds / 3600):0} h {seconds % 3600 / 60:0} min",
    };
}
