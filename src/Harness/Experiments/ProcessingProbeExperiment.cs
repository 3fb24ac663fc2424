using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TraceProbe.Common;
using TraceProbe.Embeddings;
using TraceProbe.EncoderInputs;
using TraceProbe.Encoders;
using TraceProbe.Erasure;
using TraceProbe.Images;
using TraceProbe.Neighbours;
using TraceProbe.Probes;
using TraceProbe.Processing;
using TraceProbe.Results;

namespace TraceProbe.Experiments;

public sealed record ProcessingProbeOptions
{
    public CropPlanOptions Crops { get; init; } = new();
    public ProbeOptions Probe { get; init; } = new();
    public EmbeddingPipelineOptions Pipeline { get; init; } = new();
    public ulong Seed { get; init; }
    /// <summary>Where finished embedding chunks are kept, so that a rerun resumes; null keeps nothing.</summary>
    public EmbeddingCache? Cache { get; init; }
    /// <summary>Probes trained per task (seeds Seed, Seed+1, …), reported as mean ± std.</summary>
    public int ProbeSeeds { get; init; } = 1;
    /// <summary>kNN influence set-ups on the held-out crops; null skips them.</summary>
    public KnnOptions? Knn { get; init; } = new();
    /// <summary>Also erase the task's trace from the embeddings (LEACE) and measure probe and kNN again.</summary>
    public bool Erase { get; init; }
    /// <summary>Semantic class per photo for kNN (class folders, a manifest column); null: kNN is not run (it needs classes).</summary>
    public IReadOnlyList<string?>? SemanticLabels { get; init; }
    /// <summary>Lines for the reader while the task runs (the kNN run's cost); null shows none.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>The embedding work of a processing task, its items, and the metadata of its embeddings file.</summary>
public sealed record ProcessingPlan(EmbeddingRequest Request, IReadOnlyList<TraceItem> Items, IReadOnlyDictionary<string, string> Metadata);

/// <summary>The result of one processing task for one encoder: summary records, skipped inputs, the embeddings.</summary>
/// <param name="Embeddings">The embeddings to write; null when the experiment wrote its file itself (paper mode, as it embeds).</param>
public sealed record ExperimentOutcome(IReadOnlyList<SummaryRecord> Records, IReadOnlyList<SkippedInput> Skipped, EmbeddingSet? Embeddings)
{
    /// <summary>What the reader should know: a part not run and why.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>
/// Processing-trace probe (paper §3): crops of training photos each under one random class, crops of held-out
/// photos under every class; embeddings from the encoder; a linear probe predicts the class.
/// </summary>
public static class ProcessingProbeExperiment
{
    /// <summary>Embeddings-file metadata: the semantic class of each item's photo (JSON array, null where none), for kNN from the file.</summary>
    public const string SemanticKey = EmbeddingsFile.SemanticKey;

    /// <summary>The embedding work of a processing task: its items in plan order and how each is rendered.</summary>
    public static ProcessingPlan Plan(OnnxEncoder encoder, TraceTaskSpec task, IReadOnlyList<Photo> photos, ProcessingProbeOptions options)
    {
        if (task.Kind != TraceKind.Processing)
            throw new ArgumentException($"Task '{task.Id}' is an {task.Kind} task, not a processing task.", nameof(task));
        var chains = task.Classes.Select(c => c.Ops.Select(ProcessingCatalog.Parse).ToArray()).ToArray();
        var plan = CropPlan.Build(photos, task.Classes.Count, options.Crops, options.Seed);
        var tensorizer = new InputTensorizer(encoder.Spec, encoder.MeanImage);

        void Render(SixLabors.ImageSharp.Image<Rgb24> source, int index, Span<float> tensor)
        {
            var item = plan[index];
            var region = item.Region.On(source.Width, source.Height);
            var image = source.Clone(x => x.Crop(region));
            var opSeed = Seeds.Derive(options.Seed, $"ops:{photos[item.Photo].Key}#{item.Crop}");
            foreach (var op in chains[item.Label])
            {
                var next = op.Apply(image, opSeed);
                image.Dispose();
                image = next;
            }
            using (image)
            using (var input = tensorizer.ResizeAndCrop(image))
                tensorizer.Tensorize(input, tensor);
        }

        var planned = plan.Select(i => new PlannedItem($"{photos[i.Photo].Key}#crop{i.Crop}", i.Photo,
            string.Join("+", task.Classes[i.Label].Ops))).ToList();
        var recipe = $"processing-probe/1;seed={options.Seed};crops={options.Crops};task={task.Id}";
        var metadata = new SortedDictionary<string, string>(EmbeddingsFile.ItemMetadata(
            plan.Select(i => photos[i.Photo].Key), plan.Select(i => i.Crop), plan.Select(i => i.IsTest ? "test" : "train")).ToDictionary())
        {
            [EmbeddingsFile.EncoderKey] = encoder.Spec.Id,
            [EmbeddingsFile.TaskKey] = task.Id,
            ["seed"] = options.Seed.ToString(),
            [EmbeddingsFile.LayoutKey] = ProcessingLayout.QuickCrops.Token(),
        };
        if (options.SemanticLabels is { } semantic)
            metadata[SemanticKey] = System.Text.Json.JsonSerializer.Serialize(plan.Select(i => semantic[i.Photo]));
        return new ProcessingPlan(new EmbeddingRequest($"{encoder.Spec.Id}/{task.Id}", photos, planned, Render, recipe), plan, metadata);
    }

    /// <summary>The records' common part for a processing task (quick and paper mode alike).</summary>
    internal static RecordScope Scope(OnnxEncoder encoder, TraceTaskSpec task, int nTrain, int nTest) => new()
    {
        Encoder = encoder.Spec.Id,
        Family = encoder.Spec.Family.ToString(),
        Experiment = ExperimentNames.Processing,
        Task = task.Id,
        Chance = task.Chance,
        NTrain = nTrain,
        NTest = nTest,
        Classes = task.Classes.Select(c => c.Id).ToArray(),
    };

    public static async Task<ExperimentOutcome> RunAsync(OnnxEncoder encoder, TraceTaskSpec task, IReadOnlyList<Photo> photos,
        ProcessingProbeOptions options, IProgress<StageProgress>? progress = null, CancellationToken cancel = default)
    {
        var (request, items, metadata) = Plan(encoder, task, photos, options);
        var output = await new EmbeddingPipeline(encoder, options.Pipeline, options.Cache).RunAsync(request, Shard.All, progress, cancel);

        var dim = encoder.Dim;
        var train = items.Where(i => !i.IsTest && output.Done[i.Index]).ToArray();
        var test = items.Where(i => i.IsTest && output.Done[i.Index]).ToArray();
        if (train.Length == 0 || test.Length == 0)
            throw new InvalidDataException($"Task '{task.Id}': no usable {(train.Length == 0 ? "training" : "test")} photos (all were skipped).");
        progress?.Report(new StageProgress("probe", 0, 1));
        var probeOptions = options.Probe with { Seed = options.Seed, Groups = train.Select(i => i.Photo).ToArray() };
        var trainData = ProbeData.Gather(output.Embeddings, dim, train.Select(i => i.Index).ToArray(), i => items[i].Label);
        var testData = ProbeData.Gather(output.Embeddings, dim, test.Select(i => i.Index).ToArray(), i => items[i].Label, i => items[i].Photo);
        var outcome = ProbeStage.Run(trainData, testData,
            dim, task.Classes.Count, probeOptions, options.ProbeSeeds);
        progress?.Report(new StageProgress("probe", 1, 1));

        var scope = Scope(encoder, task, train.Length, test.Length);
        var details = new SortedDictionary<string, string>
        {
            ["protocol"] = options.Probe.Protocol.ToString().ToLowerInvariant(),
            ["seed"] = options.Seed.ToString(),
            ["train_photos"] = train.Select(i => i.Photo).Distinct().Count().ToString(),
            ["test_photos"] = test.Select(i => i.Photo).Distinct().Count().ToString(),
            ["model_sha256"] = ModelHash.Sha256(encoder.ModelPath),
        };
        var embeddings = new EmbeddingSet(output.Embeddings, dim, request.Items.Select(i => i.Key).ToList(),
            request.Items.Select(i => i.Processing).ToList(), ShardMerge.Metadata(metadata, output.Done));
        var records = ProbeStage.Records(outcome, scope, details).ToList();
        if (options.Knn is { } knn)
        {
            // Held-out crops of a few photos: seconds of work, so no state file (paper mode keeps one).
            var hooks = new KnnStageHooks { Line = options.Log, Progress = KnnStageHooks.AsStage(progress), Cancel = cancel };
            records.AddRange(KnnInfluenceStage.Run(output.Embeddings, dim, items, output.Done, task.Classes.Count, scope with { Details = details }, knn, options.SemanticLabels, hooks));
        }
        if (options.Erase)
        {
            // LEACE fitted on the training crops and their trace labels, applied to every embedding, rows re-normalised.
            progress?.Report(new StageProgress("erase", 0, 1));
            var eraser = TraceEraser.Fit(trainData.X, trainData.Y, dim, task.Classes.Count);
            var erased = eraser.Apply(output.Embeddings);
            for (var r = 0; r < erased.Length / dim; r++) OnnxEncoder.L2Normalize(erased.AsSpan(r * dim, dim));
            var erasedOutcome = ProbeStage.Run(
                ProbeData.Gather(erased, dim, train.Select(i => i.Index).ToArray(), i => items[i].Label),
                ProbeData.Gather(erased, dim, test.Select(i => i.Index).ToArray(), i => items[i].Label, i => items[i].Photo),
                dim, task.Classes.Count, probeOptions, options.ProbeSeeds);
            var erasure = scope with { Experiment = ExperimentNames.Erasure };
            var erasureDetails = new SortedDictionary<string, string>(details) { ["erased_rank"] = eraser.Rank.ToString() };
            records.AddRange(ProbeStage.Records(erasedOutcome, erasure, erasureDetails));
            if (options.Knn is { } knnAfter)
                records.AddRange(KnnInfluenceStage.Run(erased, dim, items, output.Done, task.Classes.Count, erasure with { Details = erasureDetails }, knnAfter, options.SemanticLabels,
                    new KnnStageHooks { Line = options.Log, Cancel = cancel }));
            progress?.Report(new StageProgress("erase", 1, 1));
        }
        return new ExperimentOutcome(records, output.Skipped, embeddings)
        {
            Notes = options.Knn is not null && options.SemanticLabels is null ? [$"{encoder.Spec.Id}/{task.Id}: {KnnInfluenceStage.NeedsClasses}"] : [],
        };
    }
}
