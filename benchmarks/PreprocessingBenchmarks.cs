using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TraceProbe.EncoderInputs;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Processing;

namespace TraceProbe.Benchmarks;

/// <summary>
/// CPU time per image of each stage before the model (one thread, the 16 bundled JPEG photos in memory): decoding,
/// the JPEG95_444 stage that ends most processing ops, and the encoder's transform (ResNet-18: 224², bilinear),
/// ours (libjpeg-turbo through SkiaSharp, Pillow's resampling) against the ImageSharp path a .NET user would write
/// (and TraceProbe used before it matched Pillow). These stages share the cores with the model in the pipeline.
/// </summary>
[Config(typeof(Columns))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PreprocessingBenchmarks
{
    private const int Images = EmbeddingBenchmarks.Images;
    private byte[][] _files = [];
    private Image<Rgb24>[] _decoded = [];
    private InputTensorizer _tensorizer = null!;
    private float[] _tensor = [];
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
    }

    [Benchmark(Baseline = true, Description = "decode: ImageSharp"), BenchmarkCategory("decode")]
    public int DecodeImageSharp() => Sum(_files, b => Image.Load<Rgb24>(b));

    [Benchmark(Description = "decode: libjpeg-turbo (ours)"), BenchmarkCategory("decode")]
    public int DecodeOurs() => Sum(_files, b => JpegCodec.Decode(b));

    [Benchmark(Baseline = true, Description = "JPEG95_444: ImageSharp"), BenchmarkCategory("op")]
    public int JpegImageSharp() => Sum(_decoded, im => _jpegImageSharp.Apply(im, 0));

    [Benchmark(Description = "JPEG95_444: libjpeg-turbo (ours)"), BenchmarkCategory("op")]
    public int JpegOurs() => Sum(_decoded, im => _jpeg.Apply(im, 0));

    [Benchmark(Baseline = true, Description = "transform: ImageSharp resize"), BenchmarkCategory("transform")]
    public int TransformImageSharp() => Sum(_decoded, im =>
    {
        var (w, h) = _tensorizer.ResizedSize(im.Width, im.Height);
        var resized = im.Clone(x => x.Resize(w, h, KnownResamplers.Triangle)
            .Crop(new Rectangle((w - _tensorizer.Width) / 2, (h - _tensorizer.Height) / 2, _tensorizer.Width, _tensorizer.Height)));
        _tensorizer.Tensorize(resized, _tensor);
        return resized;
    });

    [Benchmark(Description = "transform: Pillow resampling (ours)"), BenchmarkCategory("transform")]
    public int TransformOurs() => Sum(_decoded, im =>
    {
        var cropped = _tensorizer.ResizeAndCrop(im);
        _tensorizer.Tensorize(cropped, _tensor);
        return cropped;
    });

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

    private sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(new FuncColumn("ms/image", "ms/image: CPU time per image (one thread)",
            (summary, c) => summary[c]?.ResultStatistics is { } stats ? (stats.Mean / 1e6 / Images).ToString("0.00") : "?"));
    }
}
