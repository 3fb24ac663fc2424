using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Neighbours;
using TraceProbe.Results;

namespace TraceProbe.Experiments;

/// <summary>The kNN influence set-ups on an embeddings file of a processing task: the `knn` command without re-embedding.</summary>
public static class EmbeddingsKnn
{
    public static Summary Run(EmbeddingsFile file, KnnOptions options)
    {
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
        var records = KnnInfluenceStage.Run(set.Embeddings, set.Dim, items, file.Done.ToArray(), classes.Count, scope, options);
        if (records.Count == 0) throw new InvalidDataException($"{file.Source}: fewer than 4 held-out crops have an embedding under every processing.");
        return Summary.Create(options.Seed, new SortedDictionary<string, string> { ["embeddings"] = Path.GetFullPath(file.Source), ["k"] = options.K.ToString() }, records, []);
    }
}
