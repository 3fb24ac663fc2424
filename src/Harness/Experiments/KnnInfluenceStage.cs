using TraceProbe.Neighbours;
using TraceProbe.Results;

namespace TraceProbe.Experiments;

/// <summary>
/// The paper's kNN influence on the held-out photos of a processing task: every held-out crop exists under
/// every class, so each can be placed in the database (or asked as a query) under any processing. The
/// semantic class of a crop is its photo; crops alternate between queries and database, so each photo has
/// both, and no crop is on both sides.
/// </summary>
public static class KnnInfluenceStage
{
    public static readonly string[] SetupNames = ["all-same", "pos-same", "neg-same", "all-diff", "uniform"];

    /// <summary>Records of the five set-ups and the distraction score, or none when too few crops are usable.</summary>
    /// <param name="log">When given, receives the run's cost estimate before it starts and progress lines with an ETA.</param>
    /// <param name="statePath">When given, the run saves its state there after every pass and resumes from it.</param>
    public static IReadOnlyList<SummaryRecord> Run(float[] embeddings, int dim, IReadOnlyList<TraceItem> items, bool[] done,
        int processings, SummaryRecord template, KnnOptions options, IReadOnlyList<string?>? semanticLabels = null,
        Action<string>? log = null, string? statePath = null)
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
        if (crops.Count < 4) return [];

        var layout = new float[crops.Count * processings * dim];
        var labels = new int[crops.Count];
        var isQuery = new bool[crops.Count];
        for (var c = 0; c < crops.Count; c++)
        {
            for (var p = 0; p < processings; p++)
                embeddings.AsSpan(crops[c][p].Index * dim, dim).CopyTo(layout.AsSpan((c * processings + p) * dim, dim));
            labels[c] = SemanticOf(crops[c][0].Photo);
            isQuery[c] = crops[c][0].Crop % 2 == 0;
        }
        var queryItems = Enumerable.Range(0, crops.Count).Where(c => isQuery[c]).ToArray();
        var dbItems = Enumerable.Range(0, crops.Count).Where(c => !isQuery[c]).ToArray();
        if (queryItems.Length == 0 || dbItems.Length == 0) return [];
        var input = new KnnInfluenceInput(
            Side(layout, queryItems, processings, dim), queryItems.Select(c => labels[c]).ToArray(),
            Side(layout, dbItems, processings, dim), dbItems.Select(c => labels[c]).ToArray());
        if (log is not null) log(KnnCostModel.Estimate(queryItems.Length, dbItems.Length, dim, processings, options).ToString());
        var result = KnnInfluence.Evaluate(input, options, log is null ? null : new KnnProgressLog(log), statePath);
        var details = new SortedDictionary<string, string>(template.Details?.ToDictionary() ?? [])
        {
            ["k"] = result.K.ToString(),
            ["semantic_classes"] = semanticLabels is null ? "photos" : "dataset classes",
            ["uniform_seeds"] = options.UniformSeeds.ToString(),
        };
        var knn = template with
        {
            Experiment = template.Experiment == "erasure" ? "erasure" : "knn",
            Metric = "accuracy",
            NTrain = result.DatabaseItems,
            NTest = result.Queries,
            Chance = 1.0 / labels.Distinct().Count(),
            Confusion = null,
            Details = details,
        };
        var records = result.Setups.Select((s, i) => knn with
        {
            Setup = SetupNames[i],
            Value = s.Mean,
            Std = s.Setup == KnnSetup.Uniform ? s.Std : null,
        }).ToList();
        records.Add(knn with { Setup = "distraction", Metric = "distraction_score", Value = result.DistractionScore, Chance = null });
        return records;
    }

    private static InMemoryRows Side(float[] layout, int[] crops, int processings, int dim)
    {
        var rows = new float[crops.Length * processings * dim];
        for (var i = 0; i < crops.Length; i++)
            layout.AsSpan(crops[i] * processings * dim, processings * dim).CopyTo(rows.AsSpan(i * processings * dim));
        return new InMemoryRows(rows, crops.Length, processings, dim);
    }
}
