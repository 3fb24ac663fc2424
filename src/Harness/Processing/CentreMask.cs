using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TraceProbe.Common;

namespace TraceProbe.Processing;

/// <summary>
/// Paints black a centred box covering <see cref="Ratio"/> of the image (side ratio √r per dimension): columns
/// [round(m), round(W − m)) with m = (1 − √r)·W/2, rows likewise. Rounding is Python's round (half to even)
/// and the box is half-open (numpy slicing, Pillow paste), as in the paper's code. Meant for the encoder's
/// input after its resize and centre crop, so that only acquisition traces at the border remain.
/// </summary>
public sealed class CentreMask(double ratio) : ProcessingOp
{
    public double Ratio { get; } = CentreMaskRatio.IsMask(ratio)
        ? ratio
        : throw new ArgumentOutOfRangeException(nameof(ratio), ratio, $"The masked area ratio must be in {CentreMaskRatio.Interval}.");

    public override string Id => $"CENTRE_MASK_{Ratio:0.###}";

    public static (int Start, int End) Span(int size, double ratio)
    {
        var m = (1 - Math.Sqrt(ratio)) * size / 2;
        return ((int)Math.Round(m, MidpointRounding.ToEven), (int)Math.Round(size - m, MidpointRounding.ToEven));
    }

    public override Image<Rgb24> Apply(Image<Rgb24> image, ulong seed)
    {
        var output = image.Clone();
        var (x0, x1) = Span(image.Width, Ratio);
        var (y0, y1) = Span(image.Height, Ratio);
        output.ProcessPixelRows(rows =>
        {
            for (var y = y0; y < y1; y++) rows.GetRowSpan(y)[x0..x1].Clear();
        });
        return output;
    }
}
