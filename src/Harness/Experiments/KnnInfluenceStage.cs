using TraceProbe.Common;
using TraceProbe.Neighbours;
using TraceProbe.Results;
using TraceProbe.Statistics;

namespace TraceProbe.Experiments;

/// <summary>
/// The paper's kNN influence: queries and database items each exist under every processing of a task, so each can
/// be asked (or placed in the database) under any of them; the classes are the dataset's semantic classes. A query
/// never shares a photo with the database: in paper mode the queries are the dataset's val images and the database
/// its train images; in quick mode the held-out photos are dealt, class by class, to one side or the other.
/// </summary>
public static class KnnInfluenceStage
{
    /// <summary>Why kNN cannot run on a collection without semantic classes (the note a run shows).</summary>
    public const string NeedsClasses =
        "kNN influence needs semantic classes (class sub-folders, a manifest's label column, or a dataset's classes); this collection has none, so it was not run";

    /// <summary>
    /// Quick mode, on the held-out crops of a processing task: photos with a semantic class are dealt to queries
    /// or database (alternately within each class, in a seeded order), so no photo is on both sides. Records of the
    /// set-ups (<see cref="KnnSetup.All"/>) and the distraction score; none when there are no classes or too few crops on either side.
    /// The rows are read from <paramref name="embeddings"/> where they are (row items[i].Index), not copied.
    /// </summary>
    public static IReadOnlyList<SummaryRecord> Run(float[] embeddings, int dim, IReadOnlyList<TraceItem> items, bool[] done,
        int processings, RecordScope scope, KnnOptions options, IReadOnlyList<string?>? semanticLabels, KnnStageHooks? hooks = null) =>
        Run(rows => new IndexedRows(embeddings, rows, processings, dim), dim, items, done, processings, scope, options, semanticLabels, hooks);

    /// <summary>
    /// The same, streaming the rows from an embeddings file a block at a time (item i's embedding is file row
    /// items[i].Index), so that memory does not grow with the number of items.
    /// </summary>
    public static IReadOnlyList<SummaryRecord> Run(string embeddingsPath, int dim, IReadOnlyList<TraceItem> items, bool[] done,
        int processings, RecordScope scope, KnnOptions options, IReadOnlyList<string?>? semanticLabels, KnnStageHooks? hooks = null)
    {
        var open = new List<EmbeddingsFileRows>();
        try
        {
            return Run(rows => { var r = new EmbeddingsFileRows(embeddingsPath, rows, processings); open.Add(r); return r; },
                dim, items, done, processings, scope, options, semanticLabels, hooks);
        }
        finally
        {
            foreach (var r in open) r.Dispose();
        }
    }

    /// <param name="open">One side from its rows, item-major: rows[item · P + processing].</param>
    private static IReadOnlyList<SummaryRecord> Run(Func<int[], IProcessedRows> open, int dim, IReadOnlyList<TraceItem> items, bool[] done,
        int processings, RecordScope scope, KnnOptions options, IReadOnlyList<string?>? semanticLabels, KnnStageHooks? hooks)
    {
        if (semanticLabels is null) return [];
        // Held-out crops come as runs of `processings` items (labels 0..P-1); keep crops whose every item was made.
        var crops = items.Where(i => i.IsTest).GroupBy(i => (i.Photo, i.Crop))
            .Where(g => g.Count() == processings && g.All(i => done[i.Index]))
            .Where(g => semanticLabels[g.Key.Photo] is not null)
            .Select(g => g.OrderBy(i => i.Label).ToArray()).ToList();
        var queryPhotos = new HashSet<int>();
        foreach (var byClass in crops.Select(c => c[0].Photo).Distinct().GroupBy(p => semanticLabels[p]!, StringComparer.Ordinal))
        {
            var ordered = byClass.OrderBy(p => Seeds.Derive(options.Seed, $"knn-side:{p}")).ToList();
            for (var k = 0; k < ordered.Count; k += 2) queryPhotos.Add(ordered[k]);
        }
        if (crops.Count < 4) return [];

        var rows = crops.SelectMany(c => c.Select(i => i.Index)).ToArray();
        var labels = crops.Select(c => semanticLabels[c[0].Photo]!).ToArray();
        var isQuery = crops.Select(c => queryPhotos.Contains(c[0].Photo)).ToArray();
        var photos = crops.Select(c => c[0].Photo).ToArray();
        return Evaluate(open, rows, crops.Count, processings, dim, labels, isQuery, photos, scope, options, hooks);
    }

    /// <summary>
    /// The set-ups on items of an embeddings array [N, dim]: item i under processing p is row rows[i · P + p] (read
    /// in place), with a semantic class, a side and a source photo per item. None when either side is empty; throws
    /// if a photo is on both sides (a query would meet itself).
    /// </summary>
    public static IReadOnlyList<SummaryRecord> Evaluate(float[] embeddings, int[] rows, int count, int processings, int dim, IReadOnlyList<string> classes,
        bool[] isQuery, IReadOnlyList<int> photos, RecordScope scope, KnnOptions options, KnnStageHooks? hooks = null) =>
        Evaluate(r => new IndexedRows(embeddings, r, processings, dim), rows, count, processings, dim, classes, isQuery, photos, scope, options, hooks);

    /// <summary>The same, streaming the rows from an embeddings file (item i under processing p is file row rows[i · P + p]).</summary>
    public static IReadOnlyList<SummaryRecord> Evaluate(string embeddingsPath, int[] rows, int count, int processings, int dim, IReadOnlyList<string> classes,
        bool[] isQuery, IReadOnlyList<int> photos, RecordScope scope, KnnOptions options, KnnStageHooks? hooks = null)
    {
        var open = new List<EmbeddingsFileRows>();
        try
        {
            return Evaluate(r => { var f = new EmbeddingsFileRows(embeddingsPath, r, processings); open.Add(f); return f; },
                rows, count, processings, dim, classes, isQuery, photos, scope, options, hooks);
        }
        finally
        {
            foreach (var f in open) f.Dispose();
        }
    }

    private static IReadOnlyList<SummaryRecord> Evaluate(Func<int[], IProcessedRows> open, int[] rows, int count, int processings, int dim,
        IReadOnlyList<string> classes, bool[] isQuery, IReadOnlyList<int> photos, RecordScope scope, KnnOptions options, KnnStageHooks? hooks)
    {
        var queries = Enumerable.Range(0, count).Where(i => isQuery[i]).Select(i => photos[i]).ToHashSet();
        var database = Enumerable.Range(0, count).Where(i => !isQuery[i]).Select(i => photos[i]).ToHashSet();
        if (queries.Count == 0 || database.Count == 0) return [];
        if (queries.Overlaps(database))
            throw new InvalidOperationException("kNN influence: a photo is both a query and in the database.");
        var classIds = classes.Distinct(StringComparer.Ordinal).Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var labels = classes.Select(c => classIds[c]).ToArray();
        // Each side in item order (the database's order seeds the uniform set-up and breaks top-k ties).
        var queryItems = Enumerable.Range(0, count).Where(i => isQuery[i]).ToArray();
        var databaseItems = Enumerable.Range(0, count).Where(i => !isQuery[i]).ToArray();
        int[] RowsOf(int[] side)
        {
            var picked = new int[side.Length * processings];
            for (var j = 0; j < side.Length; j++) rows.AsSpan(side[j] * processings, processings).CopyTo(picked.AsSpan(j * processings));
            return picked;
        }
        var input = new KnnInfluenceInput(open(RowsOf(queryItems)), queryItems.Select(i => labels[i]).ToArray(),
            open(RowsOf(databaseItems)), databaseItems.Select(i => labels[i]).ToArray());
        if (hooks?.Line is { } line)
            line($"{scope.Encoder}/{scope.Task}{(scope.Experiment == ExperimentNames.Erasure ? " (erased)" : "")}: " + KnnCostModel.Estimate(queryItems.Length, databaseItems.Length, dim, processings, options));
        var result = KnnInfluence.Evaluate(input, options, hooks?.Progress, hooks?.StatePath, hooks?.Cancel ?? default);
        var details = new SortedDictionary<string, string>(scope.Details?.ToDictionary() ?? [])
        {
            ["k"] = result.K.ToString(),
            ["semantic_classes"] = classIds.Count.ToString(),
            ["uniform_seeds"] = options.UniformSeeds.ToString(),
            ["query_photos"] = queries.Count.ToString(),
            ["database_photos"] = database.Count.ToString(),
        };
        var knn = scope with
        {
            Experiment = scope.Experiment == ExperimentNames.Erasure ? ExperimentNames.Erasure : ExperimentNames.Knn,
            NTrain = result.DatabaseItems,
            NTest = result.Queries,
            Chance = 1.0 / classIds.Count,
            Details = details,
        };
        // Intervals: the queries resampled by photo (a photo's crops together), the database held fixed.
        var queryPhotoOf = queryItems.Select(i => photos[i]).ToArray();
        var bootstrap = new BootstrapOptions { Seed = options.Seed };
        var records = result.Setups.Select((s, i) =>
            knn.Record(s.Setup.Name, MetricNames.Accuracy, s.Mean, s.Setup.Averaging == KnnAveraging.OverSeeds ? s.Std : null) with
            {
                Ci95 = ClusterBootstrap.Mean(result.ByQuery[i], queryPhotoOf, bootstrap).ToArray(),
                NTestPhotos = queries.Count,
            }).ToList();
        if (result.Has(KnnSetup.PosSame) && result.Has(KnnSetup.NegSame))
            records.Add((knn with { Chance = null }).Record(SetupNames.Distraction, MetricNames.DistractionScore, result.DistractionScore) with
            {
                Ci95 = ClusterBootstrap.AbsoluteMeanDifference(result.ByQueryOf(KnnSetup.PosSame), result.ByQueryOf(KnnSetup.NegSame), queryPhotoOf, bootstrap).ToArray(),
                NTestPhotos = queries.Count,
            });
        return records;
    }
}
