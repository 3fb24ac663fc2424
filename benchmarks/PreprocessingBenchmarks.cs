using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TraceProbe.Benchmarks.Peers;
using TraceProbe.EncoderInputs;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Processing;

namespace TraceProbe.Benchmarks;

/// <summary>
/// CPU time per image of each stage before the model (one thread, the 16 bundled JPEG photos in memory): decoding,
/// the JPEG95_444 stage that ends most processing ops, the encoder's transform (ResNet-18: 224², bilinear), and the
/// JPEG task's work per (image, processing): each photo decoded once, then each of the 6 JPEG classes and the
/// transform. Ours (libjpeg-turbo through libvips, Pillow's resampling) beside SkiaSharp's libjpeg-turbo (TraceProbe's
/// codec before) and the ImageSharp path a .NET user would write. The reference (Pillow + torchvision, one thread) is
/// timed on the same photos by tools/reference_speed.py; docs/benchmarks.md puts both side by side.
/// </summary>
[Config(typeof(Columns))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PreprocessingBenchmarks
{
    private const int Images = EmbeddingBenchmarks.Images;
    private const string Task = "JPEG task";
    private static readonly string[] JpegClasses = ["JPEG75_420", "JPEG75_444", "JPEG85_420", "JPEG85_444", "JPEG95_420", "JPEG95_444"];

    private byte[][] _files = [];
    private Image<Rgb24>[] _decoded = [];
    private InputTensorizer _tensorizer = null!;
    private float[] _tensor = [];
    private ProcessingOp[] _jpegClasses = [];
    private readonly JpegCompression _jpeg = new(95, ChromaSubsampling.Ratio444);
    private readonly JpegCompression _jpegImageSharp = new(95, ChromaSubsampling.Ratio444, JpegLibrary.ImageSharp);

    [GlobalSetup]
    public void Setup()
    {
        var photos = PhotoCollection.FromFolder(PhotoCollection.BundledFolder).Take(Images).ToList();
        _files = photos.Select(p => File.ReadAllBytes(p.Path)).ToArray();
        _decoded = photos.Select(p => ImageLoader.Load(p.Path)).ToArray();
        var spec = EncoderRegistry.Find("resnet18")!;
        _tensorizer = new InputTensorizer(spec, new float[3 * spec.Input.Height * spec.Input.Width]);
        _tensor = new float[_tensorizer.TensorLength];
        _jpegClasses = JpegClasses.Select(ProcessingCatalog.Parse).ToArray();
    }

    [Benchmark(Baseline = true, Description = "decode: baseline decoder, else libvips (ours)"), BenchmarkCategory("decode")]
    public int DecodeOurs() => Sum(_files, b => JpegCodec.Decode(b));

    [Benchmark(Description = "decode: libvips (before)"), BenchmarkCategory("decode")]
    public int DecodeThroughLibvips() => Sum(_files, b => JpegCodec.DecodeThroughLibvips(b));

    [Benchmark(Description = "decode: SkiaSharp (before)"), BenchmarkCategory("decode")]
    public int DecodeSkia() => Sum(_files, b => SkiaJpegCodec.Decode(b));

    [Benchmark(Description = "decode: ImageSharp"), BenchmarkCategory("decode")]
    public int DecodeImageSharp() => Sum(_files, b => Image.Load<Rgb24>(b));

    [Benchmark(Baseline = true, Description = "JPEG95_444: no file (ours)"), BenchmarkCategory("op")]
    public int JpegOurs() => Sum(_decoded, im => _jpeg.Apply(im, 0));

    [Benchmark(Description = "JPEG95_444: libvips file (before)"), BenchmarkCategory("op")]
    public int JpegThroughFile() => Sum(_decoded, im => JpegCodec.RoundTripThroughFile(im, 95, ChromaSubsampling.Ratio444));

    [Benchmark(Description = "JPEG95_444: SkiaSharp (before)"), BenchmarkCategory("op")]
    public int JpegSkia() => Sum(_decoded, im => SkiaJpegCodec.RoundTrip(im, 95, ChromaSubsampling.Ratio444));

    [Benchmark(Description = "JPEG95_444: ImageSharp"), BenchmarkCategory("op")]
    public int JpegImageSharp() => Sum(_decoded, im => _jpegImageSharp.Apply(im, 0));

    [Benchmark(Baseline = true, Description = "transform: Pillow resampling (ours)"), BenchmarkCategory("transform")]
    public int TransformOurs() => Sum(_decoded, Transform);

    [Benchmark(Description = "transform: ImageSharp resize"), BenchmarkCategory("transform")]
    public int TransformImageSharp() => Sum(_decoded, im =>
    {
        var (w, h) = _tensorizer.ResizedSize(im.Width, im.Height);
        var resized = im.Clone(x => x.Resize(w, h, KnownResamplers.Triangle)
            .Crop(new Rectangle((w - _tensorizer.Width) / 2, (h - _tensorizer.Height) / 2, _tensorizer.Width, _tensorizer.Height)));
        _tensorizer.Tensorize(resized, _tensor);
        return resized;
    });

    /// <summary>Per photo: one decode, then each JPEG class and the transform; 6 (image, processing) items.</summary>
    [Benchmark(Baseline = true, Description = "JPEG task: no file (ours)"), BenchmarkCategory(Task)]
    public int JpegTaskOurs() => JpegTask(b => JpegCodec.Decode(b), (im, op) => op.Apply(im, 0));

    [Benchmark(Description = "JPEG task: libvips file (before)"), BenchmarkCategory(Task)]
    public int JpegTaskThroughFile() => JpegTask(b => JpegCodec.Decode(b),
        (im, op) => JpegCodec.RoundTripThroughFile(im, ((JpegCompression)op).Quality, ((JpegCompression)op).Subsampling));

    [Benchmark(Description = "JPEG task: SkiaSharp (before)"), BenchmarkCategory(Task)]
    public int JpegTaskSkia() => JpegTask(b => SkiaJpegCodec.Decode(b),
        (im, op) => SkiaJpegCodec.RoundTrip(im, ((JpegCompression)op).Quality, ((JpegCompression)op).Subsampling));

    private int JpegTask(Func<byte[], Image<Rgb24>> decode, Func<Image<Rgb24>, ProcessingOp, Image<Rgb24>> apply)
    {
        var total = 0;
        foreach (var file in _files)
        {
            using var source = decode(file);
            foreach (var op in _jpegClasses)
            {
                using var processed = apply(source, op);
                using var input = Transform(processed);
                total += input.Width;
            }
        }
        return total;
    }

    private Image<Rgb24> Transform(Image<Rgb24> image)
    {
        var cropped = _tensorizer.ResizeAndCrop(image);
        _tensorizer.Tensorize(cropped, _tensor);
        return cropped;
    }

    private static int Sum<T>(T[] inputs, Func<T, Image<Rgb24>> work)
    {
        var total = 0;
        foreach (var input in inputs)
        {
            using var image = work(input);
            total += image.Width;
        }
        return total;
    }

    /// <summary>Items per operation: 16 photos, or 16 × 6 (image, processing) pairs in the JPEG task.</summary>
    private static int Items(BenchmarkDotNet.Running.BenchmarkCase c) =>
        c.Descriptor.HasCategory(Task) ? Images * JpegClasses.Length : Images;

    private sealed class Columns : ManualConfig
    {
        public Columns()
        {
            AddColumn(new FuncColumn("ms/image", "ms/image: CPU time per image, or per (image, processing) in the JPEG task (one thread)",
                (summary, c) => summary[c]?.ResultStatistics is { } stats ? (stats.Mean / 1e6 / Items(c)).ToString("0.00") : "?"));
            AddColumn(FuncColumn.PerSecond("images/s", c => Items(c)));
            // The fastest iteration too, as tools/reference_speed.py reports its fastest round: on shared cores the
            // neighbours' load only ever adds time.
            AddColumn(new FuncColumn("fastest ms/image", "fastest ms/image: the fastest iteration's CPU time per item",
                (summary, c) => summary[c]?.ResultStatistics is { } stats ? (stats.Min / 1e6 / Items(c)).ToString("0.00") : "?"));
        }
    }
}
