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

    /// <summary>Embeddings-file metadata naming paper mode's layout: every image under every class, test = the dataset's val.</summary>
    public const string ModeKey = "mode", PaperModeValue = "paper (test = the dataset's val split; every image under every class)";

    /// <summary>
    /// Paper mode's probe on its embeddings: <paramref name="trainPhotos"/> lists, per usable training photo, its
    /// row under each class; the search draws classes with <paramref name="searchSeed"/>, each seed draws afresh.
    /// </summary>
    public static ProbeOutcome Probe(float[] embeddings, int dim, int classes, IReadOnlyList<int[]> trainPhotos, ProbeData test,
        ProbeOptions probe, IReadOnlyList<ulong> seeds, ulong searchSeed)
    {
        ProbeData TrainFor(ulong seed)
        {
            var drawn = DrawClasses(trainPhotos.Count, classes, seed);
            var rows = trainPhotos.Select((r, i) => r[drawn[i]]).ToArray();
            var labelOf = new Dictionary<int, int>(rows.Length);
            for (var i = 0; i < rows.Length; i++) labelOf[rows[i]] = drawn[i];
            return ProbeData.Gather(embeddings, dim, rows, r => labelOf[r]);
        }
        return ProbeStage.Run(TrainFor, test, dim, classes, probe with { Protocol = ProbeProtocol.Paper, ValidationRows = null, Groups = null }, seeds, searchSeed);
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

    /// <summary>The embeddings file's metadata for a plan (also what `embed` shards write in their manifests).</summary>
    public static SortedDictionary<string, string> Metadata(OnnxEncoder encoder, TraceTaskSpec task, IReadOnlyList<Photo> photos,
        EmbeddingRequest request, IReadOnlyList<string> sides, IReadOnlyList<string?>? semanticLabels)
    {
        var split = request.Items.Select(i => sides[i.Photo] == Train ? "train" : "test").ToList();
        var metadata = new SortedDictionary<string, string>(EmbeddingsFile.ItemMetadata(
            request.Items.Select(i => photos[i.Photo].Key), request.Items.Select(_ => 0), split).ToDictionary())
        {
            [EmbeddingsFile.EncoderKey] = encoder.Spec.Id,
            [EmbeddingsFile.TaskKey] = task.Id,
            [ModeKey] = PaperModeValue,
        };
        if (semanticLabels is not null)
            metadata[ProcessingProbeExperiment.SemanticKey] = System.Text.Json.JsonSerializer.Serialize(request.Items.Select(i => semanticLabels[i.Photo]));
        return metadata;
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
        var output = await new EmbeddingPipeline(encoder, options.Pipeline, options.Cache).RunAsync(request, Shard.All, progress, cancel);
        int classes = task.Classes.Count, dim = encoder.Dim;
        var selected = Selected(sides);
        // A photo is used when it was embedded under every class (an unreadable file is skipped whole).
        bool Complete(int k) => Enumerable.Range(k * classes, classes).All(i => output.Done[i]);
        var train = Enumerable.Range(0, selected.Count).Where(k => sides[selected[k]] == Train && Complete(k)).ToArray();
        var val = Enumerable.Range(0, selected.Count).Where(k => sides[selected[k]] == Val && Complete(k)).ToArray();
        if (train.Length == 0 || val.Length == 0)
            throw new InvalidDataException($"Task '{task.Id}': no usable {(train.Length == 0 ? "train" : "val")} images (all were skipped).");

        progress?.Report(new StageProgress("probe", 0, 1));
        // A val image with all its processed copies is one unit of the intervals.
        var test = ProbeData.Gather(output.Embeddings, dim, val.SelectMany(k => Enumerable.Range(k * classes, classes)).ToArray(), i => i % classes, i => i / classes);
        var outcome = Probe(output.Embeddings, dim, classes, train.Select(k => Enumerable.Range(k * classes, classes).ToArray()).ToList(), test,
            options.Probe, options.Seeds, options.SearchSeed);
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
        var notes = new List<string>();
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
                records.AddRange(Knn(output.Embeddings, dim, classes, selected, train, val, semanticLabels, scope with { Details = details }, knn, hooks));
            }
        }

        var metadata = Metadata(encoder, task, photos, request, sides, semanticLabels);
        var embeddings = new EmbeddingSet(output.Embeddings, dim, request.Items.Select(i => i.Key).ToList(),
            request.Items.Select(i => i.Processing).ToList(), ShardMerge.Metadata(metadata, output.Done));
        return new ExperimentOutcome(records, output.Skipped, embeddings) { Notes = notes };
    }

    /// <summary>The kNN run's state file of an encoder and task under <paramref name="folder"/> (its folder is made).</summary>
    public static string StatePath(string folder, string encoder, string task)
    {
        var dir = Path.Combine(folder, encoder);
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, task + ".knn-state.bin");
    }

    /// <summary>kNN influence as the reference runs it: val images are the queries, train images the database (rows read in place).</summary>
    private static IReadOnlyList<SummaryRecord> Knn(float[] embeddings, int dim, int classes, IReadOnlyList<int> selected,
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
