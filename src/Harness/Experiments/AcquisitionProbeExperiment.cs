using System.Globalization;
using SixLabors.ImageSharp.PixelFormats;
using TraceProbe.Acquisition;
using TraceProbe.Datasets;
using TraceProbe.Embeddings;
using TraceProbe.EncoderInputs;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Probes;
using TraceProbe.Processing;
using TraceProbe.Results;

namespace TraceProbe.Experiments;

public sealed record AcquisitionProbeOptions
{
    public AcquisitionSplitOptions Split { get; init; } = new();
    public ProbeOptions Probe { get; init; } = new();
    public EmbeddingPipelineOptions Pipeline { get; init; } = new();
    public ulong Seed { get; init; }
    public EmbeddingCache? Cache { get; init; }
    /// <summary>
    /// Area ratio of the centre mask; null takes the task's (0.9, the paper's text; 0.95 in its code); 0 means no
    /// mask (the reference's unmasked extraction: the encoder's own input, nothing recompressed).
    /// </summary>
    public double? MaskRatio { get; init; }
    /// <summary>A published split of this task's attribute, used as published instead of drawing one.</summary>
    public PublishedSplit? GivenSplit { get; init; }
    /// <summary>Where a published split's photos are looked for, named in the skipped line for the missing ones.</summary>
    public string? ImagesFolder { get; init; }
    /// <summary>EXIF orientation as the reference's loader of this dataset applies it (upright for FlickrExif).</summary>
    public Orientation SourceOrientation { get; init; } = Orientation.AsStored;
}

/// <summary>
/// Acquisition-trace probe (paper §4): each photo labelled from its EXIF, balanced classes, split by photo into
/// train / val / test. The encoder sees the whole photo after its own resize and centre crop, recompressed as
/// JPEG q95 4:4:4 with its centre masked black, so that the content says little and the traces must speak.
/// The probe is tuned on val, retrained on train + val, and tested once.
/// </summary>
public static class AcquisitionProbeExperiment
{
    /// <summary>The outcome, or why not: the photos give fewer than two classes with enough photos, or none of one side could be embedded.</summary>
    public static async Task<ExperimentResult> RunAsync(OnnxEncoder encoder, TraceTaskSpec task, IReadOnlyList<Photo> photos,
        IReadOnlyList<ExifLabels?> labels, AcquisitionProbeOptions options, IProgress<StageProgress>? progress = null,
        CancellationToken cancel = default)
    {
        if (task.Kind != TraceKind.Acquisition || task.Attribute is null)
            throw new ArgumentException($"Task '{task.Id}' is not an acquisition task with an EXIF attribute.", nameof(task));
        var data = AcquisitionSplit.Build(photos, labels, task.Attribute, options.Split, options.Seed, options.GivenSplit);
        if (data is null)
            return ExperimentResult.NotRun(options.GivenSplit is null
                ? $"fewer than two '{task.Attribute}' classes with {options.Split.MinPerClass}+ labelled photos"
                : $"no photo of the published '{task.Attribute}' split is in the dataset");

        var ratio = options.MaskRatio ?? task.MaskRatio ?? 0.9;
        var mask = ratio == 0
            ? null
            : new ProcessingChain($"MASK_{(100 * ratio).ToString("0.##", CultureInfo.InvariantCulture)}",
                new JpegCompression(95, ChromaSubsampling.Ratio444), new CentreMask(ratio));
        var maskId = mask?.Id ?? "UNMASKED";
        var tensorizer = new InputTensorizer(encoder.Spec, encoder.MeanImage);
        void Render(SixLabors.ImageSharp.Image<Rgb24> source, int index, Span<float> tensor)
        {
            // The mask comes after the encoder's resize and crop: it hides the same share of every input.
            using var input = tensorizer.ResizeAndCrop(source);
            if (mask is null)
            {
                tensorizer.Tensorize(input, tensor);
                return;
            }
            using var masked = mask.Apply(input, 0);
            tensorizer.Tensorize(masked, tensor);
        }
        // A photo a published split lists on two sides is embedded for each: the second copy's key names its side.
        var firstSide = new Dictionary<int, string>();
        var planned = data.Items.Select(i => new PlannedItem(
            firstSide.TryAdd(i.Photo, i.Split) || firstSide[i.Photo] == i.Split ? photos[i.Photo].Key : $"{photos[i.Photo].Key}@{i.Split}",
            i.Photo, maskId)).ToList();
        var recipe = $"acquisition-probe/1;mask={maskId}";
        var request = new EmbeddingRequest($"{encoder.Spec.Id}/{task.Id}", photos, planned, Render, recipe) { SourceOrientation = options.SourceOrientation };
        var output = await new EmbeddingPipeline(encoder, options.Pipeline, options.Cache).RunAsync(request, Shard.All, progress, cancel);

        var dim = encoder.Dim;
        var rows = Enumerable.Range(0, data.Items.Count).Where(i => output.Done[i]).ToList();
        var fit = rows.Where(i => data.Items[i].Split != "test").ToArray();
        var test = rows.Where(i => data.Items[i].Split == "test").ToArray();
        if (fit.Length == 0 || test.Length == 0)
            return ExperimentResult.NotRun($"no {(fit.Length == 0 ? "train/val" : "test")} photo of '{task.Attribute}' could be decoded and embedded (see skipped)");
        var validation = Enumerable.Range(0, fit.Length).Where(k => data.Items[fit[k]].Split == "val").ToArray();
        progress?.Report(new StageProgress("probe", 0, 1));
        var probe = options.Probe with { Seed = options.Seed, ValidationRows = validation.Length > 0 ? validation : null };
        // With no val photos and too few to hold some out, nothing can be tuned: fixed, moderate regularisation.
        var tuned = validation.Length > 0 || fit.GroupBy(i => data.Items[i].Label).Min(g => g.Count()) >= 5;
        if (!tuned) probe = probe with { Lambda = 1e-4, LearningRate = 1, WeightDecay = 1e-6 };
        var outcome = ProbeStage.Run(
            ProbeData.Gather(output.Embeddings, dim, fit, i => data.Items[i].Label),
            ProbeData.Gather(output.Embeddings, dim, test, i => data.Items[i].Label, i => data.Items[i].Photo),
            dim, data.Classes.Count, probe, 1);
        progress?.Report(new StageProgress("probe", 1, 1));

        var scope = new RecordScope
        {
            Encoder = encoder.Spec.Id,
            Family = encoder.Spec.Family.ToString(),
            Experiment = ExperimentNames.Acquisition,
            Task = task.Id,
            Chance = 1.0 / data.Classes.Count,
            NTrain = fit.Length,
            NTest = test.Length,
            Classes = data.Classes,
        };
        var details = new SortedDictionary<string, string>
        {
            ["protocol"] = options.Probe.Protocol.ToString().ToLowerInvariant(),
            ["seed"] = options.Seed.ToString(),
            ["attribute"] = task.Attribute,
            ["photos_per_class"] = data.PerClass.ToString(),
            ["validation_photos"] = validation.Length.ToString(),
            ["hyperparameters"] = tuned ? "tuned on val" : "fixed (too few photos to tune)",
            ["mask"] = maskId,
            ["model_sha256"] = ModelHash.Sha256(encoder.ModelPath),
        };
        if (data.Published is { } published)
        {
            details["split"] = $"published ({Path.GetFileName(published.Source)}), all {published.Classes.Count} classes";
            details["published_ids_missing"] = data.MissingIds.Count.ToString();
            if (published.OverlapText() is { } overlap)
                details["published_overlaps"] = $"{overlap}; kept on both sides as the reference keeps them ({data.OverlappingPhotos} present)";
        }
        var embeddings = new EmbeddingSet(output.Embeddings, dim, planned.Select(p => p.Key).ToList(), planned.Select(p => p.Processing).ToList(),
            ShardMerge.Metadata(new SortedDictionary<string, string>(EmbeddingsFile.ItemMetadata(
                planned.Select(p => photos[p.Photo].Key), planned.Select(_ => 0), data.Items.Select(i => i.Split)).ToDictionary())
            {
                [EmbeddingsFile.EncoderKey] = encoder.Spec.Id,
                [EmbeddingsFile.TaskKey] = task.Id,
                ["classes"] = System.Text.Json.JsonSerializer.Serialize(data.Classes),
                ["labels"] = System.Text.Json.JsonSerializer.Serialize(data.Items.Select(i => i.Label)),
            }, output.Done));
        var skipped = output.Skipped.ToList();
        if (data.MissingIds.Count > 0 && data.Published is { } split)
            skipped.Insert(0, FlickrExifDataset.MissingIds(split.Source, data.MissingIds,
                split.Entries.Select(e => e.Id).Distinct().Count(), options.ImagesFolder ?? "the image folder"));
        return ExperimentResult.Ran(new ExperimentOutcome(ProbeStage.Records(outcome, scope, details), skipped, embeddings));
    }
}
