using TraceProbe.Common;
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
    /// <summary>
    /// Reads the rows it needs from <paramref name="file"/> (read with <see cref="EmbeddingsFile.ReadHeader"/>, a file of
    /// any size) or from memory: every item's label, split and photo come from the file's integer columns.
    /// </summary>
    /// <param name="log">Progress lines of a long probe (the search, each seed); null prints nothing.</param>
    public static Summary Run(EmbeddingsFile file, ProbeOptions options, int seeds, Action<string>? log = null)
    {
        var columns = file.Columns;
        var split = columns.Split ?? throw new InvalidDataException($"{file.Source}: no '{EmbeddingsFile.SplitKey}' per item (train/test); write it with `traceprobe run`, `extract` or `embed` + `merge`.");
        var encoderId = file.Encoder ?? Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(file.Source))) ?? "unknown";
        var taskId = file.Task ?? Path.GetFileNameWithoutExtension(file.Source);
        var (classes, names) = TaskClasses.Of(taskId, columns.Processing);
        // Class of each processing code; −1 for a processing that is not a class of the task.
        var classOfCode = columns.Processing.Names.Select(n => classes.IndexOf(n)).ToArray();
        int Label(int row) => classOfCode[columns.Processing.Codes[row]] is var l and >= 0
            ? l
            : throw new InvalidDataException($"{file.Source}: item {columns.Keys[row]} has processing '{columns.Processing[row]}', not a class of task '{taskId}'.");
        int trainCode = IndexOf(split.Names, "train"), testCode = IndexOf(split.Names, "test");
        var train = Rows(columns, split, trainCode);
        var test = Rows(columns, split, testCode);
        if (train.Length == 0 || test.Length == 0) throw new InvalidDataException($"{file.Source}: no usable {(train.Length == 0 ? "training" : "test")} items.");

        if (options.Protocol == ProbeProtocol.Paper && file.Layout == ProcessingLayout.PaperWholeImages)
            return RunPaperMode(file, options, seeds, train, test, Label, classes, names, encoderId, taskId, log);

        // Items of one photo form a group that validation never splits; test rows name their photos: the intervals resample them.
        var photoOf = PhotoIds(columns);
        var outcome = ProbeStage.Run(ProbeData.Gather(file, train, Label), ProbeData.Gather(file, test, Label, photoOf),
            file.Dim, classes.Count, options with { Groups = train.Select(photoOf).ToArray() }, seeds);
        var scope = Scope(encoderId, taskId, names, train.Length, test.Length);
        var details = new Dictionary<string, string>
        {
            ["protocol"] = options.Protocol.ToString().ToLowerInvariant(),
            ["seed"] = options.Seed.ToString(),
            ["embeddings"] = Path.GetFileName(file.Source),
        };
        return Provenance.Stamp(Summary.Create(options.Seed,
            new SortedDictionary<string, string> { ["embeddings"] = Path.GetFullPath(file.Source), ["protocol"] = details["protocol"] },
            ProbeStage.Records(outcome, scope, details), []), file);
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return -2;
    }

    /// <summary>The embedded items of one split, in file order.</summary>
    private static int[] Rows(ItemColumns columns, CodedColumn split, int code)
    {
        var rows = new List<int>();
        for (var i = 0; i < columns.Count; i++)
            if (columns.Done[i] && split.Codes[i] == code) rows.Add(i);
        return rows.ToArray();
    }

    /// <summary>
    /// A file written by paper mode holds every training image under every class: the probe draws one class per
    /// image (a search draw, then one per seed), as the run did, and so reproduces it.
    /// </summary>
    private static Summary RunPaperMode(EmbeddingsFile file, ProbeOptions options, int seeds, int[] train, int[] test,
        Func<int, int> label, List<string> classes, List<string> names, string encoderId, string taskId, Action<string>? log)
    {
        // A training photo is used when it has a row under every class; its rows in class order, photos in order of first row.
        var photoCodes = file.Columns.Photos.Codes;
        var byPhoto = new Dictionary<int, int[]>();
        var order = new List<int>();
        foreach (var row in train)
        {
            if (!byPhoto.TryGetValue(photoCodes[row], out var slots))
            {
                byPhoto[photoCodes[row]] = slots = Enumerable.Repeat(-1, classes.Count).ToArray();
                order.Add(photoCodes[row]);
            }
            slots[label(row)] = row;
        }
        var trainPhotos = order.Select(p => byPhoto[p]).Where(r => !r.Contains(-1)).ToList();
        var outcome = PaperProcessingExperiment.Probe(file, classes.Count, trainPhotos,
            ProbeData.Gather(file, test, label, PhotoIds(file.Columns)), options,
            Enumerable.Range(0, Math.Max(1, seeds)).Select(s => options.Seed + (ulong)s).ToArray(), PaperMode.ProcessingSearchSeed + options.Seed, log);
        var scope = Scope(encoderId, taskId, names, trainPhotos.Count, test.Length);
        var details = new Dictionary<string, string>
        {
            ["protocol"] = "paper",
            ["mode"] = "paper: one class drawn per training image, redrawn per seed",
            ["seed"] = options.Seed.ToString(),
            ["embeddings"] = Path.GetFileName(file.Source),
        };
        if (options.Trials != new ProbeOptions().Trials) details["search"] = $"{options.Trials} TPE trial(s), not the paper's 30";
        return Provenance.Stamp(Summary.Create(options.Seed,
            new SortedDictionary<string, string> { ["embeddings"] = Path.GetFullPath(file.Source), ["protocol"] = "paper" },
            ProbeStage.Records(outcome, scope, details), []), file);
    }

    /// <summary>A photo's number, in order of first appearance (the run numbers them in the same order).</summary>
    private static Func<int, int> PhotoIds(ItemColumns columns)
    {
        var ids = new Dictionary<int, int>();
        return row => ids.TryGetValue(columns.Photos.Codes[row], out var id) ? id : ids[columns.Photos.Codes[row]] = ids.Count;
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
    public static (List<string> Classes, List<string> Names) Of(string taskId, CodedColumn processing)
    {
        var task = ExperimentRegistry.Find(taskId);
        if (task is { Classes.Count: > 0 })
            return (task.Classes.Select(c => string.Join("+", c.Ops)).ToList(), task.Classes.Select(c => c.Id).ToList());
        // Codes in order of first appearance (a file's vocabulary may list them in another order).
        var seen = new List<string>();
        var met = new bool[processing.Names.Count];
        foreach (var code in processing.Codes)
            if (!met[code]) { met[code] = true; seen.Add(processing.Names[code]); }
        return (seen, seen);
    }
}
