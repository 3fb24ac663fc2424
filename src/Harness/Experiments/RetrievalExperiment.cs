using SixLabors.ImageSharp.PixelFormats;
using TraceProbe.Datasets;
using TraceProbe.Embeddings;
using TraceProbe.EncoderInputs;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Neighbours;
using TraceProbe.Results;
using TraceProbe.Statistics;

namespace TraceProbe.Experiments;

/// <summary>
/// Near-duplicate retrieval (PairCams protocol): the query is one camera class's photo of a subject, the target its
/// pair from the other class; Recall@1 against hard negatives (the query's class) and easy negatives (the
/// target's class), both directions averaged.
/// </summary>
public static class RetrievalExperiment
{
    public static async Task<ExperimentOutcome> RunAsync(OnnxEncoder encoder, IReadOnlyList<CameraPair> pairs, string taskId,
        EmbeddingPipelineOptions pipeline, EmbeddingCache? cache, IProgress<StageProgress>? progress = null, CancellationToken cancel = default,
        ulong seed = 0)
    {
        var photos = pairs.SelectMany(p => new[] { p.Phone, p.Camera }).ToList();
        var tensorizer = new InputTensorizer(encoder.Spec, encoder.MeanImage);
        void Render(SixLabors.ImageSharp.Image<Rgb24> source, int index, Span<float> tensor)
        {
            using var input = tensorizer.ResizeAndCrop(source);
            tensorizer.Tensorize(input, tensor);
        }
        var items = photos.Select((p, i) => new PlannedItem(p.Key, i, "none")).ToList();
        // The reference loads PairCams with Hugging Face load_dataset, whose Image feature applies exif_transpose (≥ 2.19).
        var request = new EmbeddingRequest($"{encoder.Spec.Id}/{taskId}", photos, items, Render, "retrieval/1") { SourceOrientation = Orientation.Upright };
        var output = await new EmbeddingPipeline(encoder, pipeline, cache).RunAsync(request, Shard.All, progress, cancel);

        // Pairs whose either image could not be read leave the evaluation.
        var usable = Enumerable.Range(0, pairs.Count).Where(i => output.Done[2 * i] && output.Done[2 * i + 1]).ToList();
        if (usable.Count < 2) throw new InvalidDataException($"Retrieval needs at least 2 readable pairs; {usable.Count} are.");
        var dim = encoder.Dim;
        var phone = new float[usable.Count * dim];
        var camera = new float[usable.Count * dim];
        for (var k = 0; k < usable.Count; k++)
        {
            output.Embeddings.AsSpan(2 * usable[k] * dim, dim).CopyTo(phone.AsSpan(k * dim, dim));
            output.Embeddings.AsSpan((2 * usable[k] + 1) * dim, dim).CopyTo(camera.AsSpan(k * dim, dim));
        }
        var result = NearDuplicateRetrieval.Evaluate(phone, camera, dim);
        var scope = new RecordScope
        {
            Encoder = encoder.Spec.Id,
            Family = encoder.Spec.Family.ToString(),
            Experiment = ExperimentNames.Retrieval,
            Task = taskId,
            NTrain = 0,
            NTest = usable.Count,
            Classes = ["phone", "camera"],
            Details = new SortedDictionary<string, string>
            {
                ["phone_to_camera"] = result.HardFirstToSecond.ToString("0.####"),
                ["camera_to_phone"] = result.HardSecondToFirst.ToString("0.####"),
                ["model_sha256"] = ModelHash.Sha256(encoder.ModelPath),
            },
        };
        // Intervals: the pairs resampled (a pair is one subject, both of its queries together).
        var pairIds = Enumerable.Range(0, usable.Count).ToArray();
        var bootstrap = new BootstrapOptions { Seed = seed };
        SummaryRecord[] records =
        [
            scope.Record(SetupNames.Hard, MetricNames.RecallAt1, result.RecallAt1Hard) with
            {
                Ci95 = ClusterBootstrap.Mean(result.HardByPair, pairIds, bootstrap).ToArray(), NTestPhotos = usable.Count,
            },
            (scope with
            {
                Details = new SortedDictionary<string, string>(scope.Details!.ToDictionary())
                {
                    ["phone_to_camera"] = result.EasyFirstToSecond.ToString("0.####"),
                    ["camera_to_phone"] = result.EasySecondToFirst.ToString("0.####"),
                },
            }).Record(SetupNames.Easy, MetricNames.RecallAt1, result.RecallAt1Easy) with
            {
                Ci95 = ClusterBootstrap.Mean(result.EasyByPair, pairIds, bootstrap).ToArray(), NTestPhotos = usable.Count,
            },
            // Per query class, as the reference reports them (the overall values above average the two).
            .. result.PerQueryClass.SelectMany(q => new[]
            {
                (scope with { Details = QueryDetails(scope, scope.Classes[q.QueryClass]) }).Record(SetupNames.ForQueryClass(SetupNames.Hard, scope.Classes[q.QueryClass]), MetricNames.RecallAt1, q.Hard)
                    with { Ci95 = ClusterBootstrap.Mean(q.HardHits, pairIds, bootstrap).ToArray(), NTestPhotos = usable.Count },
                (scope with { Details = QueryDetails(scope, scope.Classes[q.QueryClass]) }).Record(SetupNames.ForQueryClass(SetupNames.Easy, scope.Classes[q.QueryClass]), MetricNames.RecallAt1, q.Easy)
                    with { Ci95 = ClusterBootstrap.Mean(q.EasyHits, pairIds, bootstrap).ToArray(), NTestPhotos = usable.Count },
            }),
        ];
        var embeddings = new EmbeddingSet(output.Embeddings, dim, items.Select(i => i.Key).ToList(), items.Select(_ => "none").ToList(),
            ShardMerge.Metadata(new SortedDictionary<string, string> { ["encoder"] = encoder.Spec.Id, ["task"] = taskId }, output.Done));
        return new ExperimentOutcome(records, output.Skipped, embeddings);
    }

    private static SortedDictionary<string, string> QueryDetails(RecordScope scope, string queryClass) =>
        new(scope.Details!.Where(kv => kv.Key is not ("phone_to_camera" or "camera_to_phone")).ToDictionary())
        {
            ["query_class"] = queryClass,
        };
}
