using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace TraceProbe.Processing;

/// <summary>Pillow's resampling filters (<c>Image.NEAREST</c> … <c>Image.HAMMING</c>).</summary>
public enum ResampleFilter { Bilinear, Bicubic, Lanczos, Box, Nearest, Hamming }

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

    /// <summary>Whether the horizontal pass may use <see cref="HorizontalPassAvx2"/>; tests turn it off to compare
    /// the two (the results are the same either way).</summary>
    internal static bool VectorPass { get; set; } = true;

    public static Image<Rgb24> Resize(Image<Rgb24> image, int width, int height, ResampleFilter filter) =>
        Resize(image, width, height, filter, new Rectangle(0, 0, width, height));

    /// <summary>
    /// The <paramref name="region"/> of the image resized to width × height: the same pixels as resizing and then
    /// cropping (each output pixel depends only on its own taps), without computing the pixels cropped away.
    /// </summary>
    public static Image<Rgb24> Resize(Image<Rgb24> image, int width, int height, ResampleFilter filter, Rectangle region)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (region.X < 0 || region.Y < 0 || region.Width < 1 || region.Height < 1 || region.Right > width || region.Bottom > height)
            throw new ArgumentOutOfRangeException(nameof(region), $"{region} is not inside {width}x{height}.");
        int inW = image.Width, inH = image.Height;
        // Buffers come from the pool: a photo's pixels are large-object-heap sized, and allocating them per image
        // costs full garbage collections.
        var pool = System.Buffers.ArrayPool<byte>.Shared;
        // One byte of slack: the vector horizontal pass reads 4 bytes at a row's last pixel.
        var src = pool.Rent(inW * inH * 3 + 1);
        byte[]? pass1 = null, pass2 = null;
        try
        {
            image.CopyPixelDataTo(src.AsSpan(0, inW * inH * 3));
            int rx = region.X, ry = region.Y, rw = region.Width, rh = region.Height;
            if (width == inW && height == inH)
                return Image.LoadPixelData<Rgb24>((pass1 = Crop(src, inW, rx, ry, rw, rh)).AsSpan(0, rw * rh * 3), rw, rh);
            if (filter == ResampleFilter.Nearest)
                return Image.LoadPixelData<Rgb24>((pass1 = Nearest(src, inW, inH, width, height, region)).AsSpan(0, rw * rh * 3), rw, rh);

            var (support, kernel) = Filter(filter);
            // Pillow skips a pass whose size does not change, and runs the horizontal pass first, over only the
            // source rows the vertical pass reads.
            int first = ry, rows = rh;
            int[]? boundsV = null, kkV = null;
            var ksizeV = 0;
            if (height != inH)
            {
                (boundsV, kkV, ksizeV) = Coefficients(inH, height, support, kernel);
                first = boundsV[2 * ry];
                rows = boundsV[2 * (ry + rh - 1)] + boundsV[2 * (ry + rh - 1) + 1] - first;
            }
            if (width != inW)
            {
                var (boundsH, kkH, ksizeH) = Coefficients(inW, width, support, kernel);
                pass1 = Horizontal(src, inW, first, rows, rx, rw, boundsH, kkH, ksizeH);
            }
            else
            {
                pass1 = Crop(src, inW, rx, first, rw, rows);
            }
            var result = pass1;
            if (boundsV is not null)
                result = pass2 = Vertical(pass1, rw, first, ry, rh, boundsV, kkV!, ksizeV);
            return Image.LoadPixelData<Rgb24>(result.AsSpan(0, rw * rh * 3), rw, rh);
        }
        finally
        {
            pool.Return(src);
            if (pass1 is not null) pool.Return(pass1);
            if (pass2 is not null) pool.Return(pass2);
        }
    }

    private static byte[] Crop(byte[] src, int inW, int x, int y, int w, int h)
    {
        var dst = System.Buffers.ArrayPool<byte>.Shared.Rent(w * h * 3);
        for (var r = 0; r < h; r++)
            Buffer.BlockCopy(src, ((y + r) * inW + x) * 3, dst, r * w * 3, w * 3);
        return dst;
    }

    private static (double Support, Func<double, double> Kernel) Filter(ResampleFilter filter) => filter switch
    {
        ResampleFilter.Box => (0.5, x => x > -0.5 && x <= 0.5 ? 1.0 : 0.0),
        ResampleFilter.Bilinear => (1.0, x => { x = Math.Abs(x); return x < 1.0 ? 1.0 - x : 0.0; }),
        ResampleFilter.Bicubic => (2.0, Bicubic),
        ResampleFilter.Lanczos => (3.0, x => x >= -3.0 && x < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0),
        ResampleFilter.Hamming => (1.0, Hamming),
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

    private static double Hamming(double x)
    {
        if (x < 0.0) x = -x;
        if (x == 0.0) return 1.0;
        if (x >= 1.0) return 0.0;
        x *= Math.PI;
        return Math.Sin(x) / x * (0.54 + 0.46 * Math.Cos(x));
    }

    /// <summary>
    /// NEAREST is not a convolution in Pillow: <c>resize</c> runs an affine scale (Geometry.c ImagingScaleAffine) whose
    /// source coordinate starts at scale/2 and is advanced by adding the scale, in double, then truncated; the
    /// accumulation is kept because it rounds differently from multiplying.
    /// </summary>
    private static byte[] Nearest(byte[] src, int inW, int inH, int outW, int outH, Rectangle region)
    {
        double ax = (double)inW / outW, ay = (double)inH / outH;
        var xin = new int[outW];
        var xo = ax * 0.5;
        for (var x = 0; x < outW; x++)
        {
            xin[x] = Math.Min((int)xo, inW - 1);
            xo += ax;
        }
        var dst = System.Buffers.ArrayPool<byte>.Shared.Rent(region.Width * region.Height * 3);
        var yo = ay * 0.5;
        for (int y = 0, o = 0; y < region.Bottom; y++, yo += ay)
        {
            if (y < region.Y) continue;
            var row = Math.Min((int)yo, inH - 1) * inW * 3;
            for (var x = region.X; x < region.Right; x++)
            {
                var p = row + xin[x] * 3;
                dst[o++] = src[p]; dst[o++] = src[p + 1]; dst[o++] = src[p + 2];
            }
        }
        return dst;
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
        var scale = (double)inSize / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = filterSupport * filterScale;
        var ksize = (int)Math.Ceiling(support) * 2 + 1;
        var bounds = new int[outSize * 2];
        var kk = new int[outSize * ksize];
        var w = new double[ksize];
        for (var xx = 0; xx < outSize; xx++)
        {
            var center = (xx + 0.5) * scale;
            var ss = 1.0 / filterScale;
            var xmin = Math.Max((int)(center - support + 0.5), 0);
            var xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            var ww = 0.0;
            for (var x = 0; x < xmax; x++)
            {
                w[x] = kernel((x + xmin - center + 0.5) * ss);
                ww += w[x];
            }
            for (var x = 0; x < xmax; x++)
            {
                var k = ww != 0.0 ? w[x] / ww : w[x];
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

    /// <summary>Output columns [x0, x0 + outW) of source rows [firstRow, firstRow + rows).</summary>
    private static byte[] Horizontal(byte[] src, int inW, int firstRow, int rows, int x0, int outW, int[] bounds, int[] kk, int ksize)
    {
        var dst = System.Buffers.ArrayPool<byte>.Shared.Rent(outW * rows * 3);
        // Whole blocks of rows go to the vector pass (given the byte of slack it reads), the rest below.
        var vector = VectorPass && HorizontalPassAvx2.IsSupported && src.Length > inW * (firstRow + rows) * 3
            ? rows / HorizontalPassAvx2.Rows * HorizontalPassAvx2.Rows : 0;
        if (vector > 0) HorizontalPassAvx2.Run(src, inW, firstRow, vector, x0, outW, bounds, kk, ksize, dst, PrecisionBits);
        // Indexing by reference: the taps and their bounds come from Coefficients, which keeps every
        // xmin + xmax within the row, so the per-tap bounds checks are only overhead here.
        ref var source = ref MemoryMarshal.GetArrayDataReference(src);
        ref var taps = ref MemoryMarshal.GetArrayDataReference(kk);
        for (var y = vector; y < rows; y++)
        {
            int srcRow = (y + firstRow) * inW * 3, dstRow = y * outW * 3;
            for (var i = 0; i < outW; i++)
            {
                int xx = x0 + i, xmin = bounds[2 * xx], xmax = bounds[2 * xx + 1];
                ref var p = ref Unsafe.Add(ref source, srcRow + xmin * 3);
                ref var k = ref Unsafe.Add(ref taps, xx * ksize);
                int s0 = 1 << (PrecisionBits - 1), s1 = s0, s2 = s0;
                for (var x = 0; x < xmax; x++)
                {
                    var c = Unsafe.Add(ref k, x);
                    ref var q = ref Unsafe.Add(ref p, 3 * x);
                    s0 += q * c; s1 += Unsafe.Add(ref q, 1) * c; s2 += Unsafe.Add(ref q, 2) * c;
                }
                dst[dstRow + 3 * i] = Clip8(s0); dst[dstRow + 3 * i + 1] = Clip8(s1); dst[dstRow + 3 * i + 2] = Clip8(s2);
            }
        }
        return dst;
    }

    /// <summary>Output rows [y0, y0 + outH) from rows that start at source row firstRow; rows are width pixels.</summary>
    private static byte[] Vertical(byte[] src, int width, int firstRow, int y0, int outH, int[] bounds, int[] kk, int ksize)
    {
        var stride = width * 3;
        var dst = System.Buffers.ArrayPool<byte>.Shared.Rent(stride * outH);
        var sums = new int[stride];
        for (var i = 0; i < outH; i++)
        {
            int yy = y0 + i, ymin = bounds[2 * yy] - firstRow, ymax = bounds[2 * yy + 1];
            // Row by row into per-sample sums (integer arithmetic: the order does not change the result).
            Array.Fill(sums, 1 << (PrecisionBits - 1));
            for (var y = 0; y < ymax; y++)
                MultiplyAdd(src.AsSpan((y + ymin) * stride, stride), kk[yy * ksize + y], sums);
            var dstRow = dst.AsSpan(i * stride, stride);
            for (var x = 0; x < stride; x++) dstRow[x] = Clip8(sums[x]);
        }
        return dst;
    }

    /// <summary>sums[x] += row[x] · c, widening bytes to int32 lanes (exact: integers, any order).</summary>
    private static void MultiplyAdd(ReadOnlySpan<byte> row, int c, Span<int> sums)
    {
        var x = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var n = System.Numerics.Vector<byte>.Count;
            var factor = new System.Numerics.Vector<int>(c);
            var lanes = System.Runtime.InteropServices.MemoryMarshal.Cast<int, System.Numerics.Vector<int>>(sums);
            for (; x <= row.Length - n; x += n)
            {
                System.Numerics.Vector.Widen(new System.Numerics.Vector<byte>(row.Slice(x)), out var lo, out var hi);
                System.Numerics.Vector.Widen(lo, out var a, out var b);
                System.Numerics.Vector.Widen(hi, out var d, out var e);
                var v = x / System.Numerics.Vector<int>.Count;
                lanes[v] += System.Numerics.Vector.AsVectorInt32(a) * factor;
                lanes[v + 1] += System.Numerics.Vector.AsVectorInt32(b) * factor;
                lanes[v + 2] += System.Numerics.Vector.AsVectorInt32(d) * factor;
                lanes[v + 3] += System.Numerics.Vector.AsVectorInt32(e) * factor;
            }
        }
        for (; x < row.Length; x++) sums[x] += row[x] * c;
    }
}
