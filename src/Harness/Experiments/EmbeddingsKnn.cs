using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Neighbours;
using TraceProbe.Results;

namespace TraceProbe.Experiments;

/// <summary>The kNN influence set-ups on an embeddings file of a processing task: the `knn` command without re-embedding.</summary>
public static class EmbeddingsKnn
{
    /// <summary>
    /// Reads the file's header (items, split, classes) and streams its rows a block at a time: memory stays bounded
    /// whatever the file's size. <paramref name="hooks"/> take the cost line and progress, and name a state file to resume from.
    /// </summary>
    public static Summary Run(string path, KnnOptions options, KnnStageHooks? hooks = null)
    {
        var file = EmbeddingsFile.ReadHeader(path);
        var set = file.Set;
        var split = file.RequireSplit();
        // Class order of the registered task, so that seeded set-ups (uniform) match the run's.
        var (classes, _) = TaskClasses.Of(file.Task ?? "", set.Processing);
        var photoIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var items = Enumerable.Range(0, set.Count).Select(i =>
        {
            var photo = photoIds.TryGetValue(file.Photos[i], out var p) ? p : photoIds[file.Photos[i]] = photoIds.Count;
            return new TraceItem(i, photo, file.Crops[i], default, classes.IndexOf(set.Processing[i]), split[i] == "test");
        }).ToList();
        var encoderId = file.Encoder ?? "unknown";
        var scope = new RecordScope
        {
            Encoder = encoderId,
            Family = EncoderRegistry.Find(encoderId)?.Family.ToString() ?? FamilyNames.Unregistered,
            Experiment = ExperimentNames.Knn,
            Task = file.Task ?? Path.GetFileNameWithoutExtension(file.Source),
            Classes = classes,
            Details = new SortedDictionary<string, string> { ["embeddings"] = Path.GetFileName(file.Source) },
        };
        // Semantic classes per item, as the run wrote them; the kNN set-ups need them (a photo is not its own class).
        var semanticPerItem = set.Metadata.TryGetValue(ProcessingProbeExperiment.SemanticKey, out var json)
            ? System.Text.Json.JsonSerializer.Deserialize<string?[]>(json)
            : null;
        if (semanticPerItem is null || semanticPerItem.Length != set.Count)
            throw new InvalidDataException($"{file.Source}: no '{ProcessingProbeExperiment.SemanticKey}' metadata: {KnnInfluenceStage.NeedsClasses}.");
        if (set.Metadata.GetValueOrDefault(PaperProcessingExperiment.ModeKey) == PaperProcessingExperiment.PaperModeValue)
            return ValAgainstTrain(path, file, options with { VoteTieBreak = KnnVoteTieBreak.SmallestClass }, hooks, items, semanticPerItem, classes.Count, scope);
        var semantic = new string?[photoIds.Count];
        for (var i = 0; i < set.Count; i++) semantic[items[i].Photo] = semanticPerItem[i];
        var records = KnnInfluenceStage.Run(path, set.Dim, items, file.Done.ToArray(), classes.Count, scope, options, semantic, hooks);
        if (records.Count == 0) throw new InvalidDataException($"{file.Source}: fewer than 4 held-out crops with a semantic class have an embedding under every processing, or one side (queries, database) is empty.");
        return Summary.Create(options.Seed, new SortedDictionary<string, string> { ["embeddings"] = Path.GetFullPath(file.Source), ["k"] = options.K.ToString() }, records, []);
    }

    /// <summary>
    /// A file written by paper mode holds every image under every class: its val images ask, its train images answer,
    /// as the run did (same order, same vote rule), so the records equal the run's.
    /// </summary>
    private static Summary ValAgainstTrain(string path, EmbeddingsFile file, KnnOptions options, KnnStageHooks? hooks,
        IReadOnlyList<TraceItem> items, string?[] semanticPerItem, int processings, RecordScope scope)
    {
        // An image is used when it has a semantic class and an embedding under every class; train images first, as the run orders them.
        var images = items.GroupBy(i => i.Photo)
            .Where(g => g.Count() == processings && g.All(i => file.Done[i.Index] && i.Label >= 0) && semanticPerItem[g.First().Index] is not null)
            .Select(g => g.OrderBy(i => i.Label).ToArray())
            .Where(g => g.Select(i => i.Label).SequenceEqual(Enumerable.Range(0, processings)))
            .OrderBy(g => g[0].IsTest).ToList();
        var records = KnnInfluenceStage.Evaluate(path, images.SelectMany(g => g.Select(i => i.Index)).ToArray(), images.Count, processings, file.Set.Dim,
            images.Select(g => semanticPerItem[g[0].Index]!).ToArray(), images.Select(g => g[0].IsTest).ToArray(), images.Select(g => g[0].Photo).ToArray(),
            scope, options, hooks);
        if (records.Count == 0) throw new InvalidDataException($"{file.Source}: no val or no train image with a semantic class has an embedding under every class.");
        return Summary.Create(options.Seed, new SortedDictionary<string, string> { ["embeddings"] = Path.GetFullPath(file.Source), ["k"] = options.K.ToString(), ["mode"] = "paper (val queries, train database)" }, records, []);
    }
}
