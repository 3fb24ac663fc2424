using System.Buffers;
using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace TraceProbe.Images;

/// <summary>The three components as libjpeg's encoder lays them out: padded to whole 8×8 blocks by replicating the
/// last column and row, chroma at half resolution for 4:2:0.</summary>
internal sealed class JpegPlanes
{
    private readonly int _w, _h;
    private readonly bool _halved;
    public readonly int LumaStride, LumaRows, ChromaStride, ChromaRows;
    public readonly byte[] Y, Cb, Cr;

    public JpegPlanes(int w, int h, ChromaSubsampling subsampling)
    {
        _w = w; _h = h;
        _halved = subsampling == ChromaSubsampling.Ratio420;
        LumaStride = RoundUp(w, 8); LumaRows = RoundUp(h, 8);
        ChromaStride = _halved ? RoundUp(w, 16) / 2 : LumaStride;
        ChromaRows = _halved ? RoundUp(h, 16) / 2 : LumaRows;
        Y = ArrayPool<byte>.Shared.Rent(LumaStride * LumaRows);
        Cb = ArrayPool<byte>.Shared.Rent(ChromaStride * ChromaRows);
        Cr = ArrayPool<byte>.Shared.Rent(ChromaStride * ChromaRows);
    }

    private static int RoundUp(int x, int m) => (x + m - 1) / m * m;

    public void Return()
    {
        ArrayPool<byte>.Shared.Return(Y);
        ArrayPool<byte>.Shared.Return(Cb);
        ArrayPool<byte>.Shared.Return(Cr);
    }

    /// <summary>RGB → YCbCr (jccolor.c), edges replicated (jcsample.c expand_right_edge, jcprepct.c
    /// expand_bottom_edge), chroma box-averaged with libjpeg's alternating 1, 2 bias for 4:2:0 (h2v2_downsample).</summary>
    public void Convert(PixelAccessor<Rgb24> rows)
    {
        if (!_halved)
        {
            for (var y = 0; y < _h; y++)
            {
                var o = y * LumaStride;
                ForwardRow(MemoryMarshal.AsBytes(rows.GetRowSpan(y)), Y.AsSpan(o, _w), Cb.AsSpan(o, _w), Cr.AsSpan(o, _w));
            }
            PadRight(Y, LumaStride, _w, _h); PadRight(Cb, LumaStride, _w, _h); PadRight(Cr, LumaStride, _w, _h);
            PadBottom(Y, LumaStride, _h, LumaRows); PadBottom(Cb, LumaStride, _h, LumaRows); PadBottom(Cr, LumaStride, _h, LumaRows);
            return;
        }

        // 4:2:0: full-resolution Cb and Cr of a row pair, right edge replicated to twice the chroma width.
        var full = 2 * ChromaStride;
        var cb2 = ArrayPool<byte>.Shared.Rent(2 * full);
        var cr2 = ArrayPool<byte>.Shared.Rent(2 * full);
        try
        {
            var chromaRows = (_h + 1) / 2;
            for (var j = 0; j < chromaRows; j++)
            {
                for (var k = 0; k < 2; k++)
                {
                    var y = Math.Min(2 * j + k, _h - 1);
                    var c = k * full;
                    ForwardRow(MemoryMarshal.AsBytes(rows.GetRowSpan(y)), Y.AsSpan(y * LumaStride, _w), cb2.AsSpan(c, _w), cr2.AsSpan(c, _w));
                    cb2.AsSpan(c + _w, full - _w).Fill(cb2[c + _w - 1]);
                    cr2.AsSpan(c + _w, full - _w).Fill(cr2[c + _w - 1]);
                }
                Downsample(cb2, full, Cb.AsSpan(j * ChromaStride, ChromaStride));
                Downsample(cr2, full, Cr.AsSpan(j * ChromaStride, ChromaStride));
            }
            PadRight(Y, LumaStride, _w, _h);
            PadBottom(Y, LumaStride, _h, LumaRows);
            PadBottom(Cb, ChromaStride, chromaRows, ChromaRows);
            PadBottom(Cr, ChromaStride, chromaRows, ChromaRows);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(cb2);
            ArrayPool<byte>.Shared.Return(cr2);
        }
    }

    private static unsafe void ForwardRow(ReadOnlySpan<byte> rgb, Span<byte> y, Span<byte> cb, Span<byte> cr)
    {
        var simd = JpegColourAvx2.IsSupported ? y.Length / JpegColourAvx2.Pixels * JpegColourAvx2.Pixels : 0;
        if (simd > 0)
        {
            fixed (byte* s = rgb, py = y, pb = cb, pr = cr) JpegColourAvx2.Forward(s, py, pb, pr, simd);
        }
        for (var x = simd; x < y.Length; x++)
        {
            int r = rgb[3 * x], g = rgb[3 * x + 1], b = rgb[3 * x + 2];
            y[x] = JpegColour.Y(r, g, b);
            cb[x] = JpegColour.Cb(r, g, b);
            cr[x] = JpegColour.Cr(r, g, b);
        }
    }

    internal static unsafe void InverseRow(ReadOnlySpan<byte> y, ReadOnlySpan<byte> cb, ReadOnlySpan<byte> cr, Span<byte> rgb)
    {
        var simd = JpegColourAvx2.IsSupported ? y.Length / JpegColourAvx2.Pixels * JpegColourAvx2.Pixels : 0;
        if (simd > 0)
        {
            fixed (byte* py = y, pb = cb, pr = cr, d = rgb) JpegColourAvx2.Inverse(py, pb, pr, d, simd);
        }
        for (var x = simd; x < y.Length; x++)
        {
            int l = y[x], u = cb[x], v = cr[x];
            rgb[3 * x] = JpegColour.R(l, v);
            rgb[3 * x + 1] = JpegColour.G(l, u, v);
            rgb[3 * x + 2] = JpegColour.B(l, u);
        }
    }

    private static unsafe void Downsample(byte[] pair, int full, Span<byte> output)
    {
        var simd = ChromaSamplingSse.IsSupported ? output.Length / ChromaSamplingSse.Samples * ChromaSamplingSse.Samples : 0;
        if (simd > 0)
        {
            fixed (byte* top = pair, o = output) ChromaSamplingSse.Downsample(top, top + full, o, simd);
        }
        for (var c = simd; c < output.Length; c++)
        {
            var bias = 1 + (c & 1);
            output[c] = (byte)((pair[2 * c] + pair[2 * c + 1] + pair[full + 2 * c] + pair[full + 2 * c + 1] + bias) >> 2);
        }
    }

    private static void PadRight(byte[] plane, int stride, int width, int rows)
    {
        if (width == stride) return;
        for (var y = 0; y < rows; y++) plane.AsSpan(y * stride + width, stride - width).Fill(plane[y * stride + width - 1]);
    }

    private static void PadBottom(byte[] plane, int stride, int rows, int paddedRows)
    {
        var last = plane.AsSpan((rows - 1) * stride, stride);
        for (var y = rows; y < paddedRows; y++) last.CopyTo(plane.AsSpan(y * stride, stride));
    }

    /// <summary>Every block through forward DCT, quantisation, dequantisation and inverse DCT, in place.</summary>
    public void Requantise(JpegQuantisation luma, JpegQuantisation chroma)
    {
        BlockRequantiser.Run(Y, LumaStride, LumaRows, luma);
        BlockRequantiser.Run(Cb, ChromaStride, ChromaRows, chroma);
        BlockRequantiser.Run(Cr, ChromaStride, ChromaRows, chroma);
    }

    /// <summary>Chroma upsampled as jdsample.c does (triangle filter, edges replicated; plain replication when
    /// the chroma is at most 2 samples wide), then YCbCr → RGB with jdcolor.c's tables.</summary>
    public void Reconstruct(PixelAccessor<Rgb24> rows)
    {
        var cbRow = ArrayPool<byte>.Shared.Rent(_w + 1);
        var crRow = ArrayPool<byte>.Shared.Rent(_w + 1);
        try
        {
            var chromaRows = (_h + 1) / 2;
            var chromaWidth = (_w + 1) / 2;
            for (var y = 0; y < _h; y++)
            {
                var rgb = MemoryMarshal.AsBytes(rows.GetRowSpan(y));
                ReadOnlySpan<byte> yRow = Y.AsSpan(y * LumaStride, _w), cb, cr;
                if (!_halved)
                {
                    cb = Cb.AsSpan(y * ChromaStride, _w);
                    cr = Cr.AsSpan(y * ChromaStride, _w);
                }
                else
                {
                    var near = y >> 1;
                    var far = (y & 1) == 0 ? Math.Max(near - 1, 0) : Math.Min(near + 1, chromaRows - 1);
                    Upsample(Cb.AsSpan(near * ChromaStride, chromaWidth), Cb.AsSpan(far * ChromaStride, chromaWidth), cbRow, _w);
                    Upsample(Cr.AsSpan(near * ChromaStride, chromaWidth), Cr.AsSpan(far * ChromaStride, chromaWidth), crRow, _w);
                    cb = cbRow.AsSpan(0, _w);
                    cr = crRow.AsSpan(0, _w);
                }
                InverseRow(yRow, cb, cr, rgb);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(cbRow);
            ArrayPool<byte>.Shared.Return(crRow);
        }
    }

    /// <summary>jdsample.c h2v2_fancy_upsample for one output row: 3/4 the nearer chroma row and 1/4 the further,
    /// then 3/4 the nearer column and 1/4 the further (the column itself beyond either edge), rounding 8 on even and 7
    /// on odd output columns.</summary>
    internal static unsafe void Upsample(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, Span<byte> output, int width)
    {
        var n = near.Length;
        if (n <= 2)
        {
            for (var x = 0; x < width; x++) output[x] = near[x >> 1];
            return;
        }
        // Columns 1 … n − 2 have both neighbours: whole groups of them go to the vector loop.
        var to = ChromaSamplingSse.IsSupported ? 1 + (n - 2) / ChromaSamplingSse.Samples * ChromaSamplingSse.Samples : 1;
        if (to > 1)
        {
            fixed (byte* pn = near, pf = far, o = output) ChromaSamplingSse.Upsample(pn, pf, o, 1, to);
        }
        UpsampleColumn(near, far, output, 0);
        for (var c = to; c < n; c++) UpsampleColumn(near, far, output, c);
    }

    private static void UpsampleColumn(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, Span<byte> output, int c)
    {
        var n = near.Length;
        int l = Math.Max(c - 1, 0), r = Math.Min(c + 1, n - 1);
        int here = near[c] * 3 + far[c], left = near[l] * 3 + far[l], right = near[r] * 3 + far[r];
        output[2 * c] = (byte)((here * 3 + left + 8) >> 4);
        output[2 * c + 1] = (byte)((here * 3 + right + 7) >> 4);
    }
}
