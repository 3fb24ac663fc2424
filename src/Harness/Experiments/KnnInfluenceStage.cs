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
    /// <param name="embeddings">Row-major [items, dim]: item i's embedding at row items[i].Index.</param>
    /// <param name="log">When given, receives the run's cost estimate before it starts and progress lines with an ETA.</param>
    /// <param name="statePath">When given, the run saves its state there after every pass and resumes from it.</param>
    public static IReadOnlyList<SummaryRecord> Run(float[] embeddings, int dim, IReadOnlyList<TraceItem> items, bool[] done,
        int processings, SummaryRecord template, KnnOptions options, IReadOnlyList<string?>? semanticLabels = null,
        Action<string>? log = null, string? statePath = null) =>
        Run(rows => Gather(embeddings, rows, processings, dim), dim, items, done, processings, template, options, semanticLabels, log, statePath);

    /// <summary>
    /// The same, streaming the embeddings from an embeddings file a block of rows at a time (memory bounded
    /// whatever the number of items): item i's embedding is file row items[i].Index.
    /// </summary>
    public static IReadOnlyList<SummaryRecord> Run(string embeddingsPath, int dim, IReadOnlyList<TraceItem> items, bool[] done,
        int processings, SummaryRecord template, KnnOptions options, IReadOnlyList<string?>? semanticLabels = null,
        Action<string>? log = null, string? statePath = null)
    {
        var open = new List<EmbeddingsFileRows>();
        try
        {
            return Run(rows => { var r = new EmbeddingsFileRows(embeddingsPath, rows, processings); open.Add(r); return r; },
                dim, items, done, processings, template, options, semanticLabels, log, statePath);
        }
        finally
        {
            foreach (var r in open) r.Dispose();
        }
    }

    /// <param name="rowsOf">Opens one side from its rows, item-major: rows[crop · P + processing].</param>
    private static IReadOnlyList<SummaryRecord> Run(Func<int[], IProcessedRows> rowsOf, int dim, IReadOnlyList<TraceItem> items, bool[] done,
        int processings, SummaryRecord template, KnnOptions options, IReadOnlyList<string?>? semanticLabels,
        Action<string>? log, string? statePath)
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

        var labels = crops.Select(c => SemanticOf(c[0].Photo)).ToArray();
        // Crops alternate between queries and database, so each photo has both and no crop is on both sides.
        var queryCrops = Enumerable.Range(0, crops.Count).Where(c => crops[c][0].Crop % 2 == 0).ToArray();
        var dbCrops = Enumerable.Range(0, crops.Count).Where(c => crops[c][0].Crop % 2 != 0).ToArray();
        if (queryCrops.Length == 0 || dbCrops.Length == 0) return [];
        int[] Rows(int[] side) => side.SelectMany(c => crops[c].Select(i => i.Index)).ToArray();
        var input = new KnnInfluenceInput(
            rowsOf(Rows(queryCrops)), queryCrops.Select(c => labels[c]).ToArray(),
            rowsOf(Rows(dbCrops)), dbCrops.Select(c => labels[c]).ToArray());
        if (log is not null) log(KnnCostModel.Estimate(queryCrops.Length, dbCrops.Length, dim, processings, options).ToString());
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

    private static InMemoryRows Gather(float[] embeddings, int[] rows, int processings, int dim)
    {
        var x = new float[(long)rows.Length * dim];
        for (var r = 0; r < rows.Length; r++) embeddings.AsSpan(rows[r] * dim, dim).CopyTo(x.AsSpan(r * dim, dim));
        return new InMemoryRows(x, rows.Length / processings, processings, dim);
    }
}
