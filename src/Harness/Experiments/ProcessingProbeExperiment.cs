using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TraceProbe.Common;
using TraceProbe.EncoderInputs;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Images;
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
}

/// <summary>The result of one processing task for one encoder: records for the summary, and what was skipped.</summary>
public sealed record ExperimentOutcome(IReadOnlyList<SummaryRecord> Records, IReadOnlyList<SkippedInput> Skipped);

/// <summary>
/// Processing-trace probe (paper §3): crops of training photos each under one random class, crops of held-out
/// photos under every class; embeddings from the encoder; a linear probe predicts the class.
/// </summary>
public static class ProcessingProbeExperiment
{
    public static async Task<ExperimentOutcome> RunAsync(OnnxEncoder encoder, TraceTaskSpec task, IReadOnlyList<Photo> photos,
        ProcessingProbeOptions options, IProgress<StageProgress>? progress = null, CancellationToken cancel = default)
    {
        if (task.Kind != TraceKind.Processing)
            throw new ArgumentException($"Task '{task.Id}' is an {task.Kind} task, not a processing task.", nameof(task));
        var chains = task.Classes.Select(c => c.Ops.Select(ProcessingCatalog.Parse).ToArray()).ToArray();
        var items = CropPlan.Build(photos, task.Classes.Count, options.Crops, options.Seed);
        var tensorizer = new InputTensorizer(encoder.Spec, encoder.MeanImage);
        var work = items.GroupBy(i => i.Photo).OrderBy(g => g.Key)
            .Select(g => new PhotoWork(photos[g.Key], g.Select(i => i.Index).ToArray())).ToList();

        void Render(SixLabors.ImageSharp.Image<Rgb24> source, int index, Span<float> tensor)
        {
            var item = items[index];
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

        var output = await new EmbeddingPipeline(encoder, options.Pipeline).RunAsync(work, items.Count, Render, progress, cancel);

        var dim = encoder.Dim;
        var train = items.Where(i => !i.IsTest && output.Done[i.Index]).ToArray();
        var test = items.Where(i => i.IsTest && output.Done[i.Index]).ToArray();
        if (train.Length == 0 || test.Length == 0)
            throw new InvalidDataException($"Task '{task.Id}': no usable {(train.Length == 0 ? "training" : "test")} photos (all were skipped).");
        var (xTrain, yTrain) = Gather(output.Embeddings, dim, train);
        var (xTest, yTest) = Gather(output.Embeddings, dim, test);
        progress?.Report(new StageProgress("probe", 0, 1));
        var model = LinearProbe.Fit(xTrain, yTrain, dim, task.Classes.Count, options.Probe with { Seed = options.Seed });
        var result = LinearProbe.Evaluate(model, xTest, yTest);
        progress?.Report(new StageProgress("probe", 1, 1));

        var classes = task.Classes.Select(c => c.Id).ToArray();
        var confusion = Enumerable.Range(0, classes.Length)
            .Select(r => Enumerable.Range(0, classes.Length).Select(c => result.Confusion[r, c]).ToArray()).ToArray();
        var details = new SortedDictionary<string, string>
        {
            ["protocol"] = options.Probe.Protocol.ToString().ToLowerInvariant(),
            ["train_photos"] = train.Select(i => i.Photo).Distinct().Count().ToString(),
            ["test_photos"] = test.Select(i => i.Photo).Distinct().Count().ToString(),
            ["model_sha256"] = ModelHash.Sha256(encoder.ModelPath),
        };
        SummaryRecord Record(string metric, double value, int[][]? matrix = null) => new()
        {
            Encoder = encoder.Spec.Id,
            Family = encoder.Spec.Family.ToString(),
            Experiment = "processing",
            Task = task.Id,
            Setup = "probe",
            Metric = metric,
            Value = value,
            Chance = task.Chance,
            NTrain = train.Length,
            NTest = test.Length,
            Classes = classes,
            Confusion = matrix,
            Details = details,
        };
        return new ExperimentOutcome(
            [Record("top1", result.Top1, confusion), Record("mean_per_class_recall", result.MeanPerClassRecall)],
            output.Skipped);
    }

    private static (float[] X, int[] Y) Gather(float[] embeddings, int dim, IReadOnlyList<TraceItem> items)
    {
        var x = new float[items.Count * dim];
        var y = new int[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            embeddings.AsSpan(items[i].Index * dim, dim).CopyTo(x.AsSpan(i * dim, dim));
            y[i] = items[i].Label;
        }
        return (x, y);
    }
}
