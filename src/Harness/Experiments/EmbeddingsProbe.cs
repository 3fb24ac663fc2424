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

        if (options.Protocol == ProbeProtocol.Paper
            && set.Metadata.TryGetValue(PaperProcessingExperiment.ModeKey, out var mode) && mode == PaperProcessingExperiment.PaperModeValue)
            return RunPaperMode(file, options, seeds, train, test, Label, classes, names, encoderId, taskId);

        // Items of one photo form a group that validation never splits.
        var photoOf = PhotoIds(file);
        var groups = train.Select(photoOf).ToArray();
        // Test rows name their photos: the intervals resample them.
        var outcome = ProbeStage.Run(ProbeData.Gather(set.Embeddings, set.Dim, train, Label), ProbeData.Gather(set.Embeddings, set.Dim, test, Label, photoOf),
            set.Dim, classes.Count, options with { Groups = groups }, seeds);
        var scope = Scope(encoderId, taskId, names, train.Length, test.Length);
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

    /// <summary>
    /// A file written by paper mode holds every training image under every class: the probe draws one class per
    /// image (a search draw, then one per seed), as the run did, and so reproduces it.
    /// </summary>
    private static Summary RunPaperMode(EmbeddingsFile file, ProbeOptions options, int seeds, int[] train, int[] test,
        Func<int, int> label, List<string> classes, List<string> names, string encoderId, string taskId)
    {
        var set = file.Set;
        var trainPhotos = train.GroupBy(i => file.Photos[i], StringComparer.Ordinal)
            .Where(g => g.Count() == classes.Count)
            .Select(g => g.OrderBy(label).ToArray()).ToList();
        var outcome = PaperProcessingExperiment.Probe(set.Embeddings, set.Dim, classes.Count, trainPhotos,
            ProbeData.Gather(set.Embeddings, set.Dim, test, label, PhotoIds(file)), options,
            Enumerable.Range(0, Math.Max(1, seeds)).Select(s => options.Seed + (ulong)s).ToArray(), PaperMode.ProcessingSearchSeed + options.Seed);
        var scope = Scope(encoderId, taskId, names, trainPhotos.Count, test.Length);
        var details = new Dictionary<string, string>
        {
            ["protocol"] = "paper",
            ["mode"] = "paper: one class drawn per training image, redrawn per seed",
            ["seed"] = options.Seed.ToString(),
            ["embeddings"] = Path.GetFileName(file.Source),
        };
        return Summary.Create(options.Seed,
            new SortedDictionary<string, string> { ["embeddings"] = Path.GetFullPath(file.Source), ["protocol"] = "paper" },
            ProbeStage.Records(outcome, scope, details), []);
    }

    /// <summary>A photo's number, in order of first appearance (the run numbers them in the same order).</summary>
    private static Func<int, int> PhotoIds(EmbeddingsFile file)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        return row => ids.TryGetValue(file.Photos[row], out var id) ? id : ids[file.Photos[row]] = ids.Count;
    }

    private static RecordScope Scope(string encoderId, string taskId, List<string> names, int nTrain, int nTest) => new()
    {
        Encoder = encoderId,
        Family = EncoderRegistry.Find(encoderId)?.Family.ToString() ?? FamilyNames.Unregistered,
        Experiment = ExperimentNames.Processing,
        Task = taskId,
        Chance = 1.0 / names.Count,
        NTrain = nTrain,
        NTest = nTest,
        Classes = names,
    };
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
