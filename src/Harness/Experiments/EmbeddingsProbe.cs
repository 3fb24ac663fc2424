using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Probes;
using TraceProbe.Results;

namespace TraceProbe.Experiments;

/// <summary>
/// A processing probe on an embeddings file written by `run`, `embed` + `merge`, or any tool that writes the same
/// layout (processing ids per item, a train/test split): the `probe` command without re-embedding.
/// </summary>
public static class EmbeddingsProbe
{
    public static Summary Run(EmbeddingsFile file, ProbeOptions options, int seeds)
    {
        var set = file.Set;
        var split = file.RequireSplit();
        var encoderId = file.Encoder ?? Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(file.Source))) ?? "unknown";
        var taskId = file.Task ?? Path.GetFileNameWithoutExtension(file.Source);
        var (classes, names) = TaskClasses.Of(taskId, set.Processing);
        int Label(int row) => classes.IndexOf(set.Processing[row]) is var l and >= 0
            ? l
            : throw new InvalidDataException($"{file.Source}: item {set.Keys[row]} has processing '{set.Processing[row]}', not a class of task '{taskId}'.");
        var train = Enumerable.Range(0, set.Count).Where(i => file.Done[i] && split[i] == "train").ToArray();
        var test = Enumerable.Range(0, set.Count).Where(i => file.Done[i] && split[i] == "test").ToArray();
        if (train.Length == 0 || test.Length == 0) throw new InvalidDataException($"{file.Source}: no usable {(train.Length == 0 ? "training" : "test")} items.");

        // Items of one photo form a group that validation never splits.
        var photoIds = new Dictionary<string, int>(StringComparer.Ordinal);
        int PhotoOf(int row) => photoIds.TryGetValue(file.Photos[row], out var g) ? g : photoIds[file.Photos[row]] = photoIds.Count;
        var groups = train.Select(PhotoOf).ToArray();
        // Test rows name their photos: the intervals resample them.
        var outcome = ProbeStage.Run(ProbeData.Gather(set.Embeddings, set.Dim, train, Label), ProbeData.Gather(set.Embeddings, set.Dim, test, Label, PhotoOf),
            set.Dim, classes.Count, options with { Groups = groups }, seeds);
        var scope = new RecordScope
        {
            Encoder = encoderId,
            Family = EncoderRegistry.Find(encoderId)?.Family.ToString() ?? FamilyNames.Unregistered,
            Experiment = ExperimentNames.Processing,
            Task = taskId,
            Chance = 1.0 / classes.Count,
            NTrain = train.Length,
            NTest = test.Length,
            Classes = names,
        };
        var details = new Dictionary<string, string>
        {
            ["protocol"] = options.Protocol.ToString().ToLowerInvariant(),
            ["seed"] = options.Seed.ToString(),
            ["embeddings"] = Path.GetFileName(file.Source),
        };
        return Summary.Create(options.Seed,
            new SortedDictionary<string, string> { ["embeddings"] = Path.GetFullPath(file.Source), ["protocol"] = details["protocol"] },
            ProbeStage.Records(outcome, scope, details), []);
    }
}

/// <summary>The class order of a processing task: the registered task's, else the processing ids as they first appear.</summary>
public static class TaskClasses
{
    /// <summary>Classes as processing ids (the order labels use) and their display names.</summary>
    public static (List<string> Classes, List<string> Names) Of(string taskId, IReadOnlyList<string> processing)
    {
        var task = ExperimentRegistry.Find(taskId);
        if (task is { Classes.Count: > 0 })
            return (task.Classes.Select(c => string.Join("+", c.Ops)).ToList(), task.Classes.Select(c => c.Id).ToList());
        var seen = processing.Distinct().ToList();
        return (seen, seen);
    }
}
