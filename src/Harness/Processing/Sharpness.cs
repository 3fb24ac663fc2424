using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace TraceProbe.Processing;

/// <summary>
/// Pillow's <c>ImageEnhance.Sharpness(image).enhance(factor)</c>: <c>blend(smooth, image, factor)</c>, i.e.
/// factor·image − (factor−1)·smooth, with smooth = <c>ImageFilter.SMOOTH</c> (3×3 [[1,1,1],[1,5,1],[1,1,1]]/13).
/// Reproduces Pillow's arithmetic bit for bit: the filter sums in single precision with the kernel divided
/// by 13 up front and 0.5 added for rounding, then truncates; border rows/columns are copied unchanged; the
/// blend computes in single precision and truncates after clipping to 0–255.
/// </summary>
public sealed class Sharpness(float factor) : ProcessingOp
{
    public float Factor { get; } = factor;

    public override string Id => $"SHARPNESS_{Factor:0.###}";

    public override Image<Rgb24> Apply(Image<Rgb24> image, ulong seed)
    {
        int w = image.Width, h = image.Height;
        var src = new byte[w * h * 3];
        image.CopyPixelDataTo(src);
        var smooth = Smooth(src, w, h);
        var dst = new byte[src.Length];
        for (var i = 0; i < src.Length; i++)
        {
            // ImagingBlend with alpha outside [0,1]: float temp, clip, truncate.
            var temp = smooth[i] + Factor * (src[i] - smooth[i]);
            dst[i] = temp <= 0f ? (byte)0 : temp >= 255f ? (byte)255 : (byte)temp;
        }
        return Image.LoadPixelData<Rgb24>(dst, w, h);
    }

    /// <summary>ImageFilter.SMOOTH as Pillow's ImagingFilter3x3 computes it.</summary>
    internal static byte[] Smooth(byte[] src, int w, int h)
    {
        var dst = (byte[])src.Clone();
        if (w < 3 || h < 3) return dst;
        float k1 = 1f / 13f, k5 = 5f / 13f;
        var stride = w * 3;
        for (var y = 1; y < h - 1; y++)
        {
            for (var x = 1; x < w - 1; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var p = y * stride + x * 3 + c;
                    // Same order of float operations as Pillow: row below, centre row, row above.
                    var ss = 0.5f;
                    ss += Row(src, p + stride, k1, k1);
                    ss += Row(src, p, k1, k5);
                    ss += Row(src, p - stride, k1, k1);
                    dst[p] = ss <= 0f ? (byte)0 : ss >= 255f ? (byte)255 : (byte)ss;
                }
            }
        }
        return dst;
    }

    private static float Row(byte[] s, int p, float side, float mid)
    {
        var a = s[p - 3] * side;
        var b = s[p] * mid;
        var ab = a + b;
        var c = s[p + 3] * side;
        return ab + c;
    }
}
