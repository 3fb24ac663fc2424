using TraceProbe.Common;
using TraceProbe.Neighbours;
using TraceProbe.Results;
using TraceProbe.Statistics;

namespace TraceProbe.Experiments;

/// <summary>
/// The paper's kNN influence on the held-out photos of a processing task: every held-out crop exists under
/// every class, so each can be placed in the database (or asked as a query) under any processing. With semantic
/// classes (class folders), each class's held-out photos are dealt to queries or database, so no photo is on both
/// sides; without, the class of a crop is its photo and its crops alternate between the sides.
/// </summary>
public static class KnnInfluenceStage
{
    /// <summary>Records of the five set-ups and the distraction score, or none when too few crops are usable.</summary>
    public static IReadOnlyList<SummaryRecord> Run(float[] embeddings, int dim, IReadOnlyList<TraceItem> items, bool[] done,
        int processings, RecordScope scope, KnnOptions options, IReadOnlyList<string?>? semanticLabels = null)
    {
        // The semantic class of a crop: its photo's class when the dataset gives one, else the photo itself.
        var classIds = new Dictionary<string, int>(StringComparer.Ordinal);
        int SemanticOf(int photo)
        {
            var name = semanticLabels?[photo] is { } label ? "class:" + label : "photo:" + photo;
            return classIds.TryGetValue(name, out var id) ? id : classIds[name] = classIds.Count;
        }
        // Held-out crops come as runs of `processings` items (labels 0..P-1); keep crops whose every item was made.
        var crops = items.Where(i => i.IsTest).GroupBy(i => (i.Photo, i.Crop))
            .Where(g => g.Count() == processings && g.All(i => done[i.Index]))
            .Where(g => semanticLabels is null || semanticLabels[g.Key.Photo] is not null)
            .Select(g => g.OrderBy(i => i.Label).ToArray()).ToList();
        // With semantic classes, photos are dealt to queries or database alternately within each class (seeded order),
        // so no photo is on both sides; without, each photo is its own class and its crops alternate.
        var queryPhotos = new HashSet<int>();
        if (semanticLabels is not null)
            foreach (var byClass in crops.Select(c => c[0].Photo).Distinct().GroupBy(p => semanticLabels[p]!, StringComparer.Ordinal))
            {
                var ordered = byClass.OrderBy(p => Seeds.Derive(options.Seed, $"knn-side:{p}")).ToList();
                for (var k = 0; k < ordered.Count; k += 2) queryPhotos.Add(ordered[k]);
            }
        if (crops.Count < 4) return [];

        var layout = new float[crops.Count * processings * dim];
        var labels = new int[crops.Count];
        var isQuery = new bool[crops.Count];
        for (var c = 0; c < crops.Count; c++)
        {
            for (var p = 0; p < processings; p++)
                embeddings.AsSpan(crops[c][p].Index * dim, dim).CopyTo(layout.AsSpan((c * processings + p) * dim, dim));
            labels[c] = SemanticOf(crops[c][0].Photo);
            isQuery[c] = semanticLabels is null ? crops[c][0].Crop % 2 == 0 : queryPhotos.Contains(crops[c][0].Photo);
        }
        if (isQuery.All(q => q) || !isQuery.Any(q => q)) return [];
        var result = KnnInfluence.Evaluate(layout, crops.Count, processings, dim, labels, isQuery, options);
        var details = new SortedDictionary<string, string>(scope.Details?.ToDictionary() ?? [])
        {
            ["k"] = result.K.ToString(),
            ["semantic_classes"] = semanticLabels is null ? "photos" : "dataset classes",
            ["uniform_seeds"] = options.UniformSeeds.ToString(),
        };
        var knn = scope with
        {
            Experiment = scope.Experiment == ExperimentNames.Erasure ? ExperimentNames.Erasure : ExperimentNames.Knn,
            NTrain = result.DatabaseItems,
            NTest = result.Queries,
            Chance = 1.0 / labels.Distinct().Count(),
            Details = details,
        };
        // Intervals: the queries resampled by photo (a photo's crops together), the database held fixed.
        var queryPhotoOf = Enumerable.Range(0, crops.Count).Where(c => isQuery[c]).Select(c => crops[c][0].Photo).ToArray();
        var bootstrap = new BootstrapOptions { Seed = options.Seed };
        var photos = queryPhotoOf.Distinct().Count();
        var records = result.Setups.Select((s, i) =>
            knn.Record(SetupNames.Knn[i], MetricNames.Accuracy, s.Mean, s.Setup == KnnSetup.Uniform ? s.Std : null) with
            {
                Ci95 = ClusterBootstrap.Mean(result.ByQuery[i], queryPhotoOf, bootstrap).ToArray(),
                NTestPhotos = photos,
            }).ToList();
        records.Add((knn with { Chance = null }).Record(SetupNames.Distraction, MetricNames.DistractionScore, result.DistractionScore) with
        {
            Ci95 = ClusterBootstrap.AbsoluteMeanDifference(result.ByQuery[1], result.ByQuery[2], queryPhotoOf, bootstrap).ToArray(),
            NTestPhotos = photos,
        });
        return records;
    }
}
