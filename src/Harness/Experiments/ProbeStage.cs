using TraceProbe.Embeddings;
using TraceProbe.Probes;
using TraceProbe.Results;
using TraceProbe.Statistics;

namespace TraceProbe.Experiments;

/// <summary>
/// A probe trained and tested under several seeds: mean and std (population, ddof 0) of the metrics, per-seed top-1,
/// the first seed's confusion; <see cref="Search"/> is the paper protocol's one search when there was one. When the test
/// rows name their photos: the 95% intervals of the means (bootstrap over held-out photos) and the photo count.
/// </summary>
public sealed record ProbeOutcome(
    double Top1, double Top1Std, double Recall, double RecallStd, int[][] Confusion, ProbeModel FirstModel, int Seeds,
    ConfidenceInterval? Top1Ci = null, ConfidenceInterval? RecallCi = null, int? TestPhotos = null)
{
    public PaperSearch? Search { get; init; }
    public IReadOnlyList<double> Top1PerSeed { get; init; } = [];
    public IReadOnlyList<ulong> SeedValues { get; init; } = [];
}

/// <summary>Rows and labels of one side of a probe (train or test), gathered from an embeddings matrix.</summary>
public sealed record ProbeData(float[] X, int[] Y)
{
    /// <summary>The source photo of each row, when known: the unit the test side's intervals resample.</summary>
    public int[]? Photos { get; init; }

    public static ProbeData Gather(float[] embeddings, int dim, IReadOnlyList<int> rows, Func<int, int> label, Func<int, int>? photo = null)
    {
        var x = new float[(long)rows.Count * dim];
        for (var i = 0; i < rows.Count; i++)
            embeddings.AsSpan((int)((long)rows[i] * dim), dim).CopyTo(x.AsSpan((int)((long)i * dim), dim));
        return Labelled(x, rows, label, photo);
    }

    /// <summary>The rows of an embeddings file, read from it when its rows are not in memory.</summary>
    public static ProbeData Gather(EmbeddingsFile file, int[] rows, Func<int, int> label, Func<int, int>? photo = null)
    {
        var x = new float[(long)rows.Length * file.Dim];
        file.ReadRows(rows, x);
        return Labelled(x, rows, label, photo);
    }

    private static ProbeData Labelled(float[] x, IReadOnlyList<int> rows, Func<int, int> label, Func<int, int>? photo)
    {
        var y = new int[rows.Count];
        for (var i = 0; i < rows.Count; i++) y[i] = label(rows[i]);
        return new ProbeData(x, y) { Photos = photo is null ? null : rows.Select(photo).ToArray() };
    }
}

/// <summary>The probe step shared by every experiment: fit on train, evaluate on test, over seeds.</summary>
public static class ProbeStage
{
    /// <summary>Seeds Seed, Seed+1, … on fixed training data (the search, if any, at the first seed).</summary>
    public static ProbeOutcome Run(ProbeData train, ProbeData test, int dim, int classes, ProbeOptions options, int seeds) =>
        Run(_ => train, test, dim, classes, options,
            Enumerable.Range(0, Math.Max(1, seeds)).Select(s => options.Seed + (ulong)s).ToArray(), options.Seed);

    /// <summary>
    /// The paper's seeds: <paramref name="trainFor"/> gives each seed's training data (the reference redraws every
    /// training image's class per seed). Under the Paper protocol the hyper-parameters are searched once, on the
    /// data of <paramref name="searchSeed"/> (the reference's seed 22), and every seed retrains with them; the Fast
    /// protocol chooses its regularisation per seed (it is cheap).
    /// </summary>
    /// <param name="log">A line per finished step (the search, each seed) with its time, for long runs; null says nothing.</param>
    public static ProbeOutcome Run(Func<ulong, ProbeData> trainFor, ProbeData test, int dim, int classes, ProbeOptions options,
        IReadOnlyList<ulong> seeds, ulong searchSeed, Action<string>? log = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ArgumentNullException.ThrowIfNull(trainFor);
        if (seeds.Count == 0) throw new ArgumentException("At least one seed is needed.", nameof(seeds));
        PaperSearch? search = null;
        var fit = options;
        if (options.Protocol == ProbeProtocol.Paper && (options.LearningRate is null || options.WeightDecay is null))
        {
            var data = trainFor(searchSeed);
            log?.Invoke($"probe: searching the learning rate and weight decay, {options.Trials} TPE trial(s) × {options.Epochs} epochs on {data.Y.Length:N0} training rows × {dim}…");
            search = LinearProbe.Search(data.X, data.Y, dim, classes, options with { Seed = searchSeed });
            log?.Invoke($"probe: search done in {clock.Elapsed.TotalSeconds:0.#} s: learning rate {search.LearningRate:g3}, weight decay {search.WeightDecay:g3}, validation top-1 {search.ValidationTop1:0.###}");
            fit = options with { LearningRate = search.LearningRate, WeightDecay = search.WeightDecay, ValidationRows = null, Groups = null };
        }

        var top1 = new double[seeds.Count];
        var recall = new double[seeds.Count];
        int[][]? confusion = null;
        ProbeModel? first = null;
        // Per test row, the share of seeds that got it right: the mean top-1 and recall over seeds are its sums.
        var correct = new double[test.Y.Length];
        var predicted = new int[test.Y.Length];
        for (var s = 0; s < seeds.Count; s++)
        {
            var train = trainFor(seeds[s]);
            var model = LinearProbe.Fit(train.X, train.Y, dim, classes, fit with { Seed = seeds[s] });
            model.Predict(test.X, predicted);
            var result = ProbeResult.FromPredictions(test.Y, predicted, classes);
            for (var i = 0; i < predicted.Length; i++) if (predicted[i] == test.Y[i]) correct[i] += 1.0 / seeds.Count;
            top1[s] = result.Top1;
            log?.Invoke($"probe: seed {seeds[s]} ({s + 1}/{seeds.Count}) trained on {train.Y.Length:N0} rows and tested on {test.Y.Length:N0}: top-1 {result.Top1:0.####}; {clock.Elapsed.TotalSeconds:0.#} s so far");
            recall[s] = result.MeanPerClassRecall;
            confusion ??= result.Confusion;
            first ??= model;
        }
        var outcome = new ProbeOutcome(top1.Average(), PopulationStd(top1), recall.Average(), PopulationStd(recall), confusion!, first!, seeds.Count)
        {
            Search = search,
            Top1PerSeed = top1,
            SeedValues = seeds,
        };
        if (test.Photos is not { Length: > 0 } photos) return outcome;
        var (top1Ci, recallCi) = ClusterBootstrap.Classification(correct, test.Y, classes, photos, new BootstrapOptions { Seed = seeds[0] });
        return outcome with { Top1Ci = top1Ci, RecallCi = recallCi, TestPhotos = photos.Distinct().Count() };
    }

    /// <summary>
    /// Standard deviation over seeds with ddof 0 (divide by n), as the reference reports mean ± std with numpy's
    /// default <c>np.std</c>.
    /// </summary>
    public static double PopulationStd(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return 0;
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }

    /// <summary>The top-1 and mean-per-class-recall records of a probe outcome.</summary>
    public static IReadOnlyList<SummaryRecord> Records(ProbeOutcome outcome, RecordScope scope, IReadOnlyDictionary<string, string> details)
    {
        var all = new SortedDictionary<string, string>(details.ToDictionary())
        {
            ["seeds"] = outcome.Seeds.ToString(),
            ["lambda"] = outcome.FirstModel.Lambda.ToString("g3"),
            ["learning_rate"] = outcome.FirstModel.LearningRate.ToString("g3"),
            ["weight_decay"] = outcome.FirstModel.WeightDecay.ToString("g3"),
            ["validation_top1"] = (outcome.Search?.ValidationTop1 ?? outcome.FirstModel.ValidationTop1).ToString("0.###"),
        };
        if (outcome.Seeds > 1)
            all["std"] = "population (ddof 0)";
        if (outcome.Search is { } search)
            all["search"] = $"TPE, {search.Trials.Count} trials, once";
        if (outcome.Top1PerSeed.Count > 1)
            all["top1_per_seed"] = string.Join(" ", outcome.Top1PerSeed.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var key in all.Where(kv => kv.Value == "NaN").Select(kv => kv.Key).ToList()) all.Remove(key);
        return
        [
            (scope with { Details = all }).Record(SetupNames.Probe, MetricNames.Top1, outcome.Top1, outcome.Seeds > 1 ? outcome.Top1Std : null)
                with { Confusion = outcome.Confusion, Ci95 = outcome.Top1Ci?.ToArray(), NTestPhotos = outcome.TestPhotos },
            (scope with { Details = all }).Record(SetupNames.Probe, MetricNames.MeanPerClassRecall, outcome.Recall, outcome.Seeds > 1 ? outcome.RecallStd : null)
                with { Ci95 = outcome.RecallCi?.ToArray(), NTestPhotos = outcome.TestPhotos },
        ];
    }
}
