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
    /// five set-ups and the distraction score; none when there are no classes or too few crops on either side.
    /// </summary>
    public static IReadOnlyList<SummaryRecord> Run(float[] embeddings, int dim, IReadOnlyList<TraceItem> items, bool[] done,
        int processings, RecordScope scope, KnnOptions options, IReadOnlyList<string?>? semanticLabels)
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

        var layout = new float[crops.Count * processings * dim];
        var labels = new string[crops.Count];
        var isQuery = new bool[crops.Count];
        for (var c = 0; c < crops.Count; c++)
        {
            for (var p = 0; p < processings; p++)
                embeddings.AsSpan(crops[c][p].Index * dim, dim).CopyTo(layout.AsSpan((c * processings + p) * dim, dim));
            labels[c] = semanticLabels[crops[c][0].Photo]!;
            isQuery[c] = queryPhotos.Contains(crops[c][0].Photo);
        }
        var photos = crops.Select(c => c[0].Photo).ToArray();
        return Evaluate(layout, crops.Count, processings, dim, labels, isQuery, photos, scope, options);
    }

    /// <summary>
    /// The set-ups on a ready layout [item][processing][dim] with a semantic class, a side and a source photo per
    /// item. None when either side is empty; throws if a photo is on both sides (a query would meet itself).
    /// </summary>
    public static IReadOnlyList<SummaryRecord> Evaluate(float[] layout, int count, int processings, int dim, IReadOnlyList<string> classes,
        bool[] isQuery, IReadOnlyList<int> photos, RecordScope scope, KnnOptions options)
    {
        var queries = Enumerable.Range(0, count).Where(i => isQuery[i]).Select(i => photos[i]).ToHashSet();
        var database = Enumerable.Range(0, count).Where(i => !isQuery[i]).Select(i => photos[i]).ToHashSet();
        if (queries.Count == 0 || database.Count == 0) return [];
        if (queries.Overlaps(database))
            throw new InvalidOperationException("kNN influence: a photo is both a query and in the database.");
        var classIds = classes.Distinct(StringComparer.Ordinal).Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var labels = classes.Select(c => classIds[c]).ToArray();
        var result = KnnInfluence.Evaluate(layout, count, processings, dim, labels, isQuery, options);
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
        var queryPhotoOf = Enumerable.Range(0, count).Where(i => isQuery[i]).Select(i => photos[i]).ToArray();
        var bootstrap = new BootstrapOptions { Seed = options.Seed };
        var records = result.Setups.Select((s, i) =>
            knn.Record(SetupNames.Knn[i], MetricNames.Accuracy, s.Mean, s.Setup == KnnSetup.Uniform ? s.Std : null) with
            {
                Ci95 = ClusterBootstrap.Mean(result.ByQuery[i], queryPhotoOf, bootstrap).ToArray(),
                NTestPhotos = queries.Count,
            }).ToList();
        records.Add((knn with { Chance = null }).Record(SetupNames.Distraction, MetricNames.DistractionScore, result.DistractionScore) with
        {
            Ci95 = ClusterBootstrap.AbsoluteMeanDifference(result.ByQuery[(int)KnnSetup.PosSame], result.ByQuery[(int)KnnSetup.NegSame], queryPhotoOf, bootstrap).ToArray(),
            NTestPhotos = queries.Count,
        });
        return records;
    }
}
