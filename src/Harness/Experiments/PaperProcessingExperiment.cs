using SixLabors.ImageSharp.PixelFormats;
using TraceProbe.Common;
using TraceProbe.EncoderInputs;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Neighbours;
using TraceProbe.Probes;
using TraceProbe.Processing;
using TraceProbe.Results;

namespace TraceProbe.Experiments;

public sealed record PaperProcessingOptions
{
    /// <summary>The Paper probe protocol (SGD, TPE search); its seed is replaced by <see cref="SearchSeed"/> and <see cref="Seeds"/>.</summary>
    public ProbeOptions Probe { get; init; } = new() { Protocol = ProbeProtocol.Paper };
    public EmbeddingPipelineOptions Pipeline { get; init; } = new();
    public EmbeddingCache? Cache { get; init; }
    /// <summary>The search's seed (its class draw, its 80/20 split, TPE): the reference's default 22.</summary>
    public ulong SearchSeed { get; init; } = 22;
    /// <summary>One retraining per seed, each with a fresh class draw: the reference's 0..9.</summary>
    public IReadOnlyList<ulong> Seeds { get; init; } = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    /// <summary>Seeds the per-image draws of the processing ops (interpolation scale).</summary>
    public ulong Seed { get; init; }
    /// <summary>kNN influence (val queries, train database); null skips it.</summary>
    public KnnOptions? Knn { get; init; }
    /// <summary>
    /// Where the kNN run keeps its state (a file per encoder and task), so that a rerun after an interruption resumes
    /// it: at the paper's scale it runs for hours. Null keeps none.
    /// </summary>
    public string? KnnStateFolder { get; init; }
    /// <summary>Lines for the reader while the task runs (the kNN run's cost); null shows none.</summary>
    public Action<string>? Log { get; init; }
    /// <summary>
    /// Where the task's embeddings file is written as the encoder makes its rows (the probe and kNN then read it): the
    /// task is never held whole in memory. Null writes it to a temporary file, removed afterwards.
    /// </summary>
    public string? EmbeddingsPath { get; init; }
    /// <summary>Entries added to the file's metadata: the photos and registry it came from (<see cref="Provenance.FileStamp"/>).</summary>
    public IReadOnlyDictionary<string, string> FileStamp { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Paper mode's processing task, as the reference runs it: every image of the dataset's train split and of its val
/// split is embedded whole under every class of the task (processing the full decoded image, then the encoder's
/// resize and crop). The probe trains on train with each image under one class drawn uniformly — one draw for the
/// search (seed 22, tuned on a stratified 80/20 of train), a fresh draw for each of the 10 retraining seeds — and
/// is tested on val with every image under every class. kNN influence asks the val images (queries) against the
/// train images (database) under every pair of processings, with the dataset's semantic classes.
/// </summary>
public static class PaperProcessingExperiment
{
    public const string Train = "train", Val = "val";

    /// <summary>
    /// Paper mode's probe on its embeddings file: <paramref name="trainPhotos"/> lists, per usable training photo, its
    /// row under each class; the search draws classes with <paramref name="searchSeed"/>, each seed draws afresh.
    /// Each draw reads only its rows (one per training image) from the file into one buffer that every draw reuses:
    /// memory is the training images × dim, not the task (every image under every class).
    /// </summary>
    public static ProbeOutcome Probe(EmbeddingsFile file, int classes, IReadOnlyList<int[]> trainPhotos, ProbeData test,
        ProbeOptions probe, IReadOnlyList<ulong> seeds, ulong searchSeed, Action<string>? log = null)
    {
        var dim = file.Dim;
        var x = new float[(long)trainPhotos.Count * dim];
        var y = new int[trainPhotos.Count];
        var rows = new int[trainPhotos.Count];
        ProbeData TrainFor(ulong seed)
        {
            var drawn = DrawClasses(trainPhotos.Count, classes, seed);
            for (var i = 0; i < rows.Length; i++) (rows[i], y[i]) = (trainPhotos[i][drawn[i]], drawn[i]);
            file.ReadRows(rows, x);
            return new ProbeData(x, y);
        }
        return ProbeStage.Run(TrainFor, test, dim, classes, probe with { Protocol = ProbeProtocol.Paper, ValidationRows = null, Groups = null }, seeds, searchSeed, log);
    }

    /// <summary>The photos of each side that are used, in photo order (train first).</summary>
    public static IReadOnlyList<int> Selected(IReadOnlyList<string> sides) =>
        Enumerable.Range(0, sides.Count).Where(i => sides[i] == Train).Concat(Enumerable.Range(0, sides.Count).Where(i => sides[i] == Val)).ToList();

    /// <summary>The embedding work: each selected photo under each class, photo-major (a photo is decoded once).</summary>
    public static EmbeddingRequest Plan(OnnxEncoder encoder, TraceTaskSpec task, IReadOnlyList<Photo> photos, IReadOnlyList<string> sides, ulong seed)
    {
        if (task.Kind != TraceKind.Processing)
            throw new ArgumentException($"Task '{task.Id}' is an {task.Kind} task, not a processing task.", nameof(task));
        var chains = task.Classes.Select(c => c.Ops.Select(ProcessingCatalog.Parse).ToArray()).ToArray();
        var selected = Selected(sides);
        var classes = task.Classes.Count;
        var tensorizer = new InputTensorizer(encoder.Spec, encoder.MeanImage);

        void Render(SixLabors.ImageSharp.Image<Rgb24> source, int index, Span<float> tensor)
        {
            var photo = photos[selected[index / classes]];
            var opSeed = Seeds.Derive(seed, $"ops:{photo.Key}");
            var image = source;
            foreach (var op in chains[index % classes])
            {
                var next = op.Apply(image, opSeed);
                if (!ReferenceEquals(image, source)) image.Dispose();
                image = next;
            }
            try
            {
                using var input = tensorizer.ResizeAndCrop(image);
                tensorizer.Tensorize(input, tensor);
            }
            finally
            {
                if (!ReferenceEquals(image, source)) image.Dispose();
            }
        }

        var planned = selected.SelectMany(p => task.Classes.Select(c => new PlannedItem($"{photos[p].Key}#{c.Id}", p, string.Join("+", c.Ops)))).ToList();
        return new EmbeddingRequest($"{encoder.Spec.Id}/{task.Id}/paper", photos, planned, Render, $"paper-processing/1;seed={seed};task={task.Id}");
    }

    /// <summary>What the embeddings file says of itself: encoder, task, and paper mode's layout.</summary>
    public static IReadOnlyDictionary<string, string> FileMetadata(OnnxEncoder encoder, TraceTaskSpec task) => new Dictionary<string, string>
    {
        [EmbeddingsFile.EncoderKey] = encoder.Spec.Id,
        [EmbeddingsFile.TaskKey] = task.Id,
        [EmbeddingsFile.LayoutKey] = ProcessingLayout.PaperWholeImages.Token(),
    };

    /// <summary>The file's item columns for a plan, built directly (the run's file and the shards' items file alike).</summary>
    public static ItemColumns Columns(IReadOnlyList<Photo> photos, EmbeddingRequest request, IReadOnlyList<string> sides, IReadOnlyList<string?>? semanticLabels)
    {
        var items = request.Items;
        return new ItemColumns
        {
            Keys = items.Select(i => i.Key).ToArray(),
            Processing = CodedColumn.Encode(items.Select(i => i.Processing)),
            Photos = CodedColumn.Encode(items.Select(i => photos[i.Photo].Key)),
            Crops = new int[items.Count],
            Done = new bool[items.Count],
            Split = CodedColumn.Encode(items.Select(i => sides[i.Photo] == Train ? "train" : "test")),
            Semantic = semanticLabels is null ? null : CodedColumn.Encode(items.Select(i => semanticLabels[i.Photo])),
        };
    }

    /// <summary>Each training photo's class under one seed: uniform over the task's classes, in photo order.</summary>
    public static int[] DrawClasses(int trainPhotos, int classes, ulong seed)
    {
        var random = new SeededRandom(Seeds.Derive(seed, "paper-class-draw"));
        var drawn = new int[trainPhotos];
        for (var i = 0; i < drawn.Length; i++) drawn[i] = random.Next(classes);
        return drawn;
    }

    public static async Task<ExperimentOutcome> RunAsync(OnnxEncoder encoder, TraceTaskSpec task, IReadOnlyList<Photo> photos,
        IReadOnlyList<string> sides, IReadOnlyList<string?>? semanticLabels, PaperProcessingOptions options,
        IProgress<StageProgress>? progress = null, CancellationToken cancel = default)
    {
        var request = Plan(encoder, task, photos, sides, options.Seed);
        var temporary = options.EmbeddingsPath is null;
        var path = options.EmbeddingsPath ?? Path.Combine(Path.GetTempPath(), $"traceprobe-{Environment.ProcessId}-{Guid.NewGuid():N}.safetensors");
        try
        {
            var columns = Columns(photos, request, sides, semanticLabels);
            EmbeddingPipeline.Output output;
            using (var writer = EmbeddingsFile.Create(path, encoder.Dim, columns, Provenance.Stamped(FileMetadata(encoder, task), options.FileStamp)))
            {
                output = await new EmbeddingPipeline(encoder, options.Pipeline, options.Cache).RunAsync(request, Shard.All, progress, cancel, writer);
                writer.Complete(output.Done);
            }
            var file = EmbeddingsFile.ReadHeader(path);
            var records = Evaluate(file, encoder, task, sides, semanticLabels, options, progress, cancel, out var notes);
            return new ExperimentOutcome(records, output.Skipped, temporary ? EmbeddingSet.Of(ReadAll(file), file.Dim, file.Columns, file.Set.Metadata) : null) { Notes = notes };
        }
        finally
        {
            if (temporary) File.Delete(path);
        }
    }

    // Without a path the caller gets the rows in memory, as a small run's outcome always carried them.
    private static float[] ReadAll(EmbeddingsFile file)
    {
        var rows = new float[(long)file.Count * file.Dim];
        file.ReadRows(Enumerable.Range(0, file.Count).ToArray(), rows);
        return rows;
    }

    /// <summary>The probe and kNN influence on a task's embeddings file, read a draw (probe) or a block (kNN) at a time.</summary>
    private static List<SummaryRecord> Evaluate(EmbeddingsFile file, OnnxEncoder encoder, TraceTaskSpec task, IReadOnlyList<string> sides,
        IReadOnlyList<string?>? semanticLabels, PaperProcessingOptions options, IProgress<StageProgress>? progress, CancellationToken cancel,
        out List<string> notes)
    {
        var classes = task.Classes.Count;
        var selected = Selected(sides);
        // A photo is used when it was embedded under every class (an unreadable file is skipped whole).
        bool Complete(int k) => Enumerable.Range(k * classes, classes).All(i => file.Done[i]);
        var train = Enumerable.Range(0, selected.Count).Where(k => sides[selected[k]] == Train && Complete(k)).ToArray();
        var val = Enumerable.Range(0, selected.Count).Where(k => sides[selected[k]] == Val && Complete(k)).ToArray();
        if (train.Length == 0 || val.Length == 0)
            throw new InvalidDataException($"Task '{task.Id}': no usable {(train.Length == 0 ? "train" : "val")} images (all were skipped).");

        progress?.Report(new StageProgress("probe", 0, 1));
        // A val image with all its processed copies is one unit of the intervals.
        var test = ProbeData.Gather(file, val.SelectMany(k => Enumerable.Range(k * classes, classes)).ToArray(), i => i % classes, i => i / classes);
        var outcome = Probe(file, classes, train.Select(k => Enumerable.Range(k * classes, classes).ToArray()).ToList(), test,
            options.Probe, options.Seeds, options.SearchSeed, options.Log is { } log ? line => log($"{encoder.Spec.Id}/{task.Id} {line}") : null);
        progress?.Report(new StageProgress("probe", 1, 1));

        var scope = ProcessingProbeExperiment.Scope(encoder, task, train.Length, val.Length * classes);
        var details = new SortedDictionary<string, string>
        {
            ["protocol"] = "paper",
            ["mode"] = "paper: whole images, the dataset's train/val",
            ["train_photos"] = train.Length.ToString(),
            ["test_photos"] = val.Length.ToString(),
            ["class_draw"] = "one uniform class per training image, redrawn per seed",
            ["search_seed"] = options.SearchSeed.ToString(),
            ["retrain_seeds"] = string.Join(" ", options.Seeds),
            ["model_sha256"] = ModelHash.Sha256(encoder.ModelPath),
        };
        var records = ProbeStage.Records(outcome, scope, details).ToList();
        notes = [];
        if (options.Knn is { } knn)
        {
            if (semanticLabels is null)
                notes.Add($"{encoder.Spec.Id}/{task.Id}: {KnnInfluenceStage.NeedsClasses}");
            else
            {
                var hooks = new KnnStageHooks
                {
                    Line = options.Log,
                    Progress = KnnStageHooks.AsStage(progress),
                    StatePath = options.KnnStateFolder is { } folder ? StatePath(folder, encoder.Spec.Id, task.Id) : null,
                    Cancel = cancel,
                };
                records.AddRange(Knn(file.Source, file.Dim, classes, selected, train, val, semanticLabels, scope with { Details = details }, knn, hooks));
            }
        }
        return records;
    }

    /// <summary>The kNN run's state file of an encoder and task under <paramref name="folder"/> (its folder is made).</summary>
    public static string StatePath(string folder, string encoder, string task)
    {
        var dir = Path.Combine(folder, encoder);
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, task + ".knn-state.bin");
    }

    /// <summary>kNN influence as the reference runs it: val images are the queries, train images the database (rows streamed from the file).</summary>
    private static IReadOnlyList<SummaryRecord> Knn(string embeddings, int dim, int classes, IReadOnlyList<int> selected,
        int[] train, int[] val, IReadOnlyList<string?> semanticLabels, RecordScope scope, KnnOptions options, KnnStageHooks hooks)
    {
        var used = train.Concat(val).Where(k => semanticLabels[selected[k]] is not null).ToArray();
        // Photo k's embedding under class c is row k · classes + c.
        var rows = used.SelectMany(k => Enumerable.Range(k * classes, classes)).ToArray();
        var valSet = val.ToHashSet();
        return KnnInfluenceStage.Evaluate(embeddings, rows, used.Length, classes, dim,
            used.Select(k => semanticLabels[selected[k]]!).ToArray(), used.Select(valSet.Contains).ToArray(),
            used.Select(k => selected[k]).ToArray(), scope, options, hooks);
    }
}
