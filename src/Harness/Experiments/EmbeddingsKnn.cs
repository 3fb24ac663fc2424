using TraceProbe.Common;
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
        var columns = file.Columns;
        var split = file.RequireSplit();
        // Class order of the registered task, so that seeded set-ups (uniform) match the run's.
        var (classes, _) = TaskClasses.Of(file.Task ?? "", columns.Processing);
        var classOfCode = columns.Processing.Names.Select(n => classes.IndexOf(n)).ToArray();
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
        var semantic = columns.Semantic
            ?? throw new InvalidDataException($"{file.Source}: no '{EmbeddingsFile.SemanticKey}' per item: {KnnInfluenceStage.NeedsClasses}.");
        if (file.Layout == ProcessingLayout.PaperWholeImages)
            return ValAgainstTrain(path, file, options with { VoteTieBreak = KnnVoteTieBreak.SmallestClass }, hooks, classOfCode, classes.Count, scope);

        // Photos numbered in order of first appearance, as the run numbered them.
        var photoIds = new Dictionary<int, int>();
        var items = Enumerable.Range(0, file.Count).Select(i =>
        {
            var code = columns.Photos.Codes[i];
            var photo = photoIds.TryGetValue(code, out var p) ? p : photoIds[code] = photoIds.Count;
            return new TraceItem(i, photo, columns.Crops[i], default, classOfCode[columns.Processing.Codes[i]], split[i] == "test");
        }).ToList();
        var semanticOfPhoto = new string?[photoIds.Count];
        for (var i = 0; i < file.Count; i++) semanticOfPhoto[items[i].Photo] = semantic[i];
        var records = KnnInfluenceStage.Run(path, file.Dim, items, columns.Done, classes.Count, scope, options, semanticOfPhoto, hooks);
        if (records.Count == 0) throw new InvalidDataException($"{file.Source}: fewer than 4 held-out crops with a semantic class have an embedding under every processing, or one side (queries, database) is empty.");
        return Provenance.Stamp(Summary.Create(options.Seed, new SortedDictionary<string, string> { ["embeddings"] = Path.GetFullPath(file.Source), ["k"] = options.K.ToString() }, records, []), file);
    }

    /// <summary>
    /// A file written by paper mode holds every image under every class: its val images ask, its train images answer,
    /// as the run did (same order, same vote rule), so the records equal the run's.
    /// </summary>
    private static Summary ValAgainstTrain(string path, EmbeddingsFile file, KnnOptions options, KnnStageHooks? hooks,
        int[] classOfCode, int processings, RecordScope scope)
    {
        // An image is used when it has a semantic class and an embedding under every class; train images first, as the
        // run orders them, each side in order of first appearance. Arrays by photo code, not groups of item objects:
        // ImageNet's file has 8 million items.
        var columns = file.Columns;
        var split = columns.Split!;
        var photos = columns.Photos.Codes;
        var slots = new int[columns.Photos.Names.Count * processings];
        Array.Fill(slots, -1);
        var order = new List<int>();
        var usable = new bool[columns.Photos.Names.Count];
        var seen = new bool[usable.Length];
        Array.Fill(usable, true);
        for (var i = 0; i < file.Count; i++)
        {
            var photo = photos[i];
            if (!seen[photo]) { seen[photo] = true; order.Add(photo); }
            var label = classOfCode[columns.Processing.Codes[i]];
            if (label < 0 || !columns.Done[i] || columns.Semantic!.Codes[i] < 0 || slots[photo * processings + label] >= 0) usable[photo] = false;
            else slots[photo * processings + label] = i;
        }
        bool IsTest(int photo) => split[slots[photo * processings]] == "test";
        var images = order.Where(p => usable[p] && slots.AsSpan(p * processings, processings).IndexOf(-1) < 0)
            .OrderBy(IsTest).ToArray();
        var rows = new int[images.Length * processings];
        for (var k = 0; k < images.Length; k++) slots.AsSpan(images[k] * processings, processings).CopyTo(rows.AsSpan(k * processings));
        var photoIds = new Dictionary<int, int>();
        foreach (var p in order) photoIds[p] = photoIds.Count;
        var records = KnnInfluenceStage.Evaluate(path, rows, images.Length, processings, file.Dim,
            images.Select(p => columns.Semantic![slots[p * processings]]!).ToArray(), images.Select(IsTest).ToArray(), images.Select(p => photoIds[p]).ToArray(),
            scope, options, hooks);
        if (records.Count == 0) throw new InvalidDataException($"{file.Source}: no val or no train image with a semantic class has an embedding under every class.");
        return Provenance.Stamp(Summary.Create(options.Seed, new SortedDictionary<string, string> { ["embeddings"] = Path.GetFullPath(file.Source), ["k"] = options.K.ToString(), ["mode"] = "paper (val queries, train database)" }, records, []), file);
    }
}
