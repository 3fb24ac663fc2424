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
        var semantic = new string?[photoIds.Count];
        for (var i = 0; i < set.Count; i++) semantic[items[i].Photo] = semanticPerItem[i];
        var records = KnnInfluenceStage.Run(path, set.Dim, items, file.Done.ToArray(), classes.Count, scope, options, semantic, hooks);
        if (records.Count == 0) throw new InvalidDataException($"{file.Source}: fewer than 4 held-out crops with a semantic class have an embedding under every processing, or one side (queries, database) is empty.");
        return Summary.Create(options.Seed, new SortedDictionary<string, string> { ["embeddings"] = Path.GetFullPath(file.Source), ["k"] = options.K.ToString() }, records, []);
    }
}
