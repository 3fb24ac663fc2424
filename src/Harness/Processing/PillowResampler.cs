using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace TraceProbe.Processing;

/// <summary>Pillow's resampling filters (<c>Image.BILINEAR</c> … <c>Image.BOX</c>).</summary>
public enum ResampleFilter { Bilinear, Bicubic, Lanczos, Box }

/// <summary>
/// Pillow's <c>Image.resize</c> (libImaging/Resample.c) for 8-bit RGB: two separable passes, horizontal first,
/// each rounding to 8 bits; the kernel support widened by the scale when reducing (antialiasing); weights
/// normalised to sum 1 in double and then stored as 22-bit fixed point.
/// Hand-written because ImageSharp's resamplers work in float on premultiplied vectors with a different
/// window and rounding; measured against Pillow they miss by tens of dB where this is bit-exact
/// (see PillowFidelityTests).
/// </summary>
public static class PillowResampler
{
    private const int PrecisionBits = 32 - 8 - 2;

    public static Image<Rgb24> Resize(Image<Rgb24> image, int width, int height, ResampleFilter filter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        int inW = image.Width, inH = image.Height;
        var src = new byte[inW * inH * 3];
        image.CopyPixelDataTo(src);

        var (support, kernel) = Filter(filter);
        var (boundsH, kkH, ksizeH) = Coefficients(inW, width, support, kernel);
        var (boundsV, kkV, ksizeV) = Coefficients(inH, height, support, kernel);

        // Pillow skips a pass whose size does not change (and copies when neither does).
        byte[] pixels = src;
        int rows = inH;
        if (width != inW)
        {
            // Only source rows the vertical pass will read go through the horizontal pass.
            int first = boundsV[0], last = boundsV[2 * height - 2] + boundsV[2 * height - 1];
            if (height == inH) { first = 0; last = inH; }
            else for (int i = 0; i < height; i++) boundsV[2 * i] -= first;
            pixels = Horizontal(src, inW, first, last - first, width, boundsH, kkH, ksizeH);
            rows = last - first;
        }
        if (height != inH)
            pixels = Vertical(pixels, width, rows, height, boundsV, kkV, ksizeV);
        return Image.LoadPixelData<Rgb24>(pixels, width, height);
    }

    private static (double Support, Func<double, double> Kernel) Filter(ResampleFilter filter) => filter switch
    {
        ResampleFilter.Box => (0.5, x => x > -0.5 && x <= 0.5 ? 1.0 : 0.0),
        ResampleFilter.Bilinear => (1.0, x => { x = Math.Abs(x); return x < 1.0 ? 1.0 - x : 0.0; }),
        ResampleFilter.Bicubic => (2.0, Bicubic),
        ResampleFilter.Lanczos => (3.0, x => x >= -3.0 && x < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0),
        _ => throw new ArgumentOutOfRangeException(nameof(filter)),
    };

    private static double Bicubic(double x)
    {
        const double a = -0.5;
        if (x < 0.0) x = -x;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    private static double Sinc(double x)
    {
        if (x == 0.0) return 1.0;
        x *= Math.PI;
        return Math.Sin(x) / x;
    }

    /// <summary>Per output index: first input index, tap count, and fixed-point taps (Pillow's precompute_coeffs).</summary>
    private static (int[] Bounds, int[] Kk, int Ksize) Coefficients(int inSize, int outSize, double filterSupport, Func<double, double> kernel)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = filterSupport * filterScale;
        int ksize = (int)Math.Ceiling(support) * 2 + 1;
        var bounds = new int[outSize * 2];
        var kk = new int[outSize * ksize];
        var w = new double[ksize];
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++)
            {
                w[x] = kernel((x + xmin - center + 0.5) * ss);
                ww += w[x];
            }
            for (int x = 0; x < xmax; x++)
            {
                double k = ww != 0.0 ? w[x] / ww : w[x];
                // Pillow rounds half away from zero by truncating k·2^22 ± 0.5.
                kk[xx * ksize + x] = k < 0 ? (int)(-0.5 + k * (1 << PrecisionBits)) : (int)(0.5 + k * (1 << PrecisionBits));
            }
            bounds[2 * xx] = xmin;
            bounds[2 * xx + 1] = xmax;
        }
        return (bounds, kk, ksize);
    }

    private static byte Clip8(int v)
    {
        v >>= PrecisionBits;
        return v < 0 ? (byte)0 : v > 255 ? (byte)255 : (byte)v;
    }

    private static byte[] Horizontal(byte[] src, int inW, int firstRow, int rows, int outW, int[] bounds, int[] kk, int ksize)
    {
        var dst = new byte[outW * rows * 3];
        for (int y = 0; y < rows; y++)
        {
            int srcRow = (y + firstRow) * inW * 3, dstRow = y * outW * 3;
            for (int xx = 0; xx < outW; xx++)
            {
                int xmin = bounds[2 * xx], xmax = bounds[2 * xx + 1], k = xx * ksize;
                int s0 = 1 << (PrecisionBits - 1), s1 = s0, s2 = s0;
                for (int x = 0; x < xmax; x++)
                {
                    int p = srcRow + (x + xmin) * 3, c = kk[k + x];
                    s0 += src[p] * c; s1 += src[p + 1] * c; s2 += src[p + 2] * c;
                }
                dst[dstRow + xx * 3] = Clip8(s0); dst[dstRow + xx * 3 + 1] = Clip8(s1); dst[dstRow + xx * 3 + 2] = Clip8(s2);
            }
        }
        return dst;
    }

    private static byte[] Vertical(byte[] src, int width, int inRows, int outH, int[] bounds, int[] kk, int ksize)
    {
        var dst = new byte[width * outH * 3];
        for (int yy = 0; yy < outH; yy++)
        {
            int ymin = bounds[2 * yy], ymax = bounds[2 * yy + 1], k = yy * ksize, dstRow = yy * width * 3;
            for (int xx = 0; xx < width * 3; xx++)
            {
                int s = 1 << (PrecisionBits - 1);
                for (int y = 0; y < ymax; y++)
                    s += src[(y + ymin) * width * 3 + xx] * kk[k + y];
                dst[dstRow + xx] = Clip8(s);
            }
        }
        return dst;
    }
}
