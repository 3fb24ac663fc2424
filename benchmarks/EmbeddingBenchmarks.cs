using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.ML;
using Microsoft.ML.Data;
using TraceProbe.EncoderInputs;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Processing;

namespace TraceProbe.Benchmarks;

/// <summary>
/// Embedding throughput for every installed encoder, 16 bundled photos per operation: ONNX Runtime on ready
/// tensors (the ceiling), our pipeline from the JPEG files (decode, resize, crop, normalise overlapped with
/// inference), and the peer a .NET user would pick, ML.NET's ResNet18 featurizer on the same files.
/// </summary>
[Config(typeof(Columns))]
[BenchmarkCategory("Embedding")]
public class EmbeddingBenchmarks
{
    public const int Images = 16;

    public static IEnumerable<string> InstalledEncoders() =>
        EncoderRegistry.All.Where(e => ModelsFolder.IsInstalled(e, ModelsFolder.Resolve())).Select(e => e.Id);

    [ParamsSource(nameof(InstalledEncoders))]
    public string Encoder { get; set; } = "resnet18";

    [Params(1, 8)]
    public int BatchSize { get; set; }

    /// <summary>The processing every photo is seen under before the encoder's transform: none, or the JPEG95_444 stage
    /// that ends most of the paper's ops (the pipeline then decodes, recompresses and transforms each photo).</summary>
    [Params("none", "JPEG95_444")]
    public string Processing { get; set; } = "none";

    /// <summary>False skips building ML.NET's featurizer in the set-up (the CI gate does not time it).</summary>
    public bool WithMlNetPeer { get; init; } = true;

    private OnnxEncoder _encoder = null!;
    private OnnxEncoder? _oneRun;
    private float[] _tensors = [];
    private float[] _output = [];
    private EmbeddingRequest _request = null!;
    private EmbeddingPipeline _pipeline = null!;
    private MLContext _ml = null!;
    private ITransformer? _mlModel;
    private IDataView? _mlData;

    private sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
    }

    [GlobalSetup]
    public void Setup()
    {
        var spec = EncoderRegistry.Find(Encoder)!;
        _encoder = new OnnxEncoder(spec, ModelsFolder.Resolve());
        var tensorizer = new InputTensorizer(spec, _encoder.MeanImage);
        var photos = PhotoCollection.FromFolder(PhotoCollection.BundledFolder).Take(Images).ToList();
        _tensors = new float[Images * _encoder.InputLength];
        for (var i = 0; i < photos.Count; i++)
        {
            using var image = ImageLoader.Load(photos[i].Path);
            using var input = tensorizer.ResizeAndCrop(image);
            tensorizer.Tensorize(input, _tensors.AsSpan(i * _encoder.InputLength, _encoder.InputLength));
        }
        _output = new float[Images * _encoder.Dim];
        var op = Processing == "none" ? null : ProcessingCatalog.Parse(Processing);
        void Render(SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24> image, int item, Span<float> tensor)
        {
            using var processed = op?.Apply(image, 0);
            using var input = tensorizer.ResizeAndCrop(processed ?? image);
            tensorizer.Tensorize(input, tensor);
        }
        _request = new EmbeddingRequest("bench", photos, photos.Select((p, i) => new PlannedItem(p.Key, i, Processing)).ToList(), Render, "bench");
        _pipeline = new EmbeddingPipeline(_encoder, new EmbeddingPipelineOptions { BatchSize = BatchSize, ChunkSize = Images });

        if (Encoder == "resnet18" && WithMlNetPeer && Processing == "none") // the featurizer does no JPEG stage
        {
            _ml = new MLContext(seed: 1);
            _mlData = _ml.Data.LoadFromEnumerable(photos.Select(p => new ImageRow { ImagePath = p.Path }).ToList());
            var estimator = _ml.Transforms.LoadImages("Image", imageFolder: "", inputColumnName: nameof(ImageRow.ImagePath))
                .Append(_ml.Transforms.ResizeImages("Image", 224, 224))
                .Append(_ml.Transforms.ExtractPixels("Pixels", "Image"))
                .Append(_ml.Transforms.DnnFeaturizeImage("Features", m => m.ModelSelector.ResNet18(_ml, m.OutputColumn, m.InputColumn), "Pixels"));
            _mlModel = estimator.Fit(_mlData);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _encoder.Dispose();
        _oneRun?.Dispose();
    }

    /// <summary>The ceiling: the encoder's runs at once (<see cref="EncoderRuns"/>, one per core on the CPU), each on
    /// its own batch, as the pipeline runs them.</summary>
    [Benchmark(Baseline = true, Description = "ONNX Runtime on ready tensors")]
    public float RawOnnxRuntime() => EmbedReady(_encoder, _encoder.Runs.Runs);

    /// <summary>ONNX Runtime as it runs by default: one run at a time on a thread per core.</summary>
    [Benchmark(Description = "ONNX Runtime on ready tensors, one run on every core")]
    public float OneRunOnEveryCore() => EmbedReady(_oneRun ??= OpenOneRun(), 1);

    private OnnxEncoder OpenOneRun() =>
        new(EncoderRegistry.Find(Encoder)!, ModelsFolder.Resolve(), new EncoderRuntimeOptions { IntraOpThreads = Environment.ProcessorCount });

    private float EmbedReady(OnnxEncoder encoder, int runs)
    {
        var batches = (Images + BatchSize - 1) / BatchSize;
        Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = runs }, b =>
        {
            var start = b * BatchSize;
            var n = Math.Min(BatchSize, Images - start);
            encoder.Embed(_tensors.AsSpan(start * encoder.InputLength, n * encoder.InputLength), n, _output.AsSpan(start * encoder.Dim));
        });
        return _output[0];
    }

    [Benchmark(Description = "TraceProbe pipeline from JPEG files")]
    public float Pipeline() => _pipeline.RunAsync(_request, Shard.All).GetAwaiter().GetResult().Embeddings[0];

    [Benchmark(Description = "ML.NET ResNet18 featurizer from JPEG files")]
    public float MlNet()
    {
        if (_mlModel is null) return float.NaN; // ML.NET's featurizer exists for ResNet18 only
        var features = _mlModel.Transform(_mlData!).GetColumn<VBuffer<float>>("Features").ToList();
        return features[0].GetValues()[0];
    }

    private sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(FuncColumn.PerSecond("images/s", _ => Images));
    }
}
