using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace TraceProbe.Processing;

/// <summary>
/// Resizing to (int(W·s), int(H·s)) with one of Pillow's antialiased filters, as <c>Image.resize</c> does.
/// The scale is fixed (RESIZE_HALF/DOUBLE) or, when <see cref="Scale"/> is null, drawn per image from the seed
/// by <see cref="SeededScale"/> (the INTERPOLATION_* traces).
/// </summary>
public sealed class Rescale(double? scale, ResampleFilter filter) : ProcessingOp
{
    public double? Scale { get; } = scale is null or > 0 ? scale : throw new ArgumentOutOfRangeException(nameof(scale));

    public ResampleFilter Filter { get; } = filter;

    public override string Id => Scale is { } s ? $"RESCALE_{s:0.###}_{Filter.ToString().ToUpperInvariant()}"
        : $"RESCALE_SEEDED_{Filter.ToString().ToUpperInvariant()}";

    /// <summary>The output size for an input size, with Python's int() truncation.</summary>
    public (int Width, int Height) OutputSize(int width, int height, ulong seed)
    {
        var s = Scale ?? SeededScale.Draw(seed);
        return (Math.Max(1, (int)(width * s)), Math.Max(1, (int)(height * s)));
    }

    public override Image<Rgb24> Apply(Image<Rgb24> image, ulong seed)
    {
        var (w, h) = OutputSize(image.Width, image.Height, seed);
        return PillowResampler.Resize(image, w, h, Filter);
    }
}
