using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TraceProbe.Neighbours;

/// <summary>
/// Dot products of up to <see cref="TileRows"/> query rows with one panel of 64 packed database rows
/// (a GEMM micro-kernel, hand-written because no .NET library offers a GEMM that could be fused with the
/// top-k filter): each step broadcasts one value of each query row and multiply-adds it into 6 × 4
/// vector accumulators, 24 fused multiply-adds per 4 panel loads and 6 broadcasts, with no horizontal
/// sums at all, so the work is bound by the FMA units.
/// </summary>
/// <remarks>
/// Every similarity is one fused multiply-add chain over the dimensions in order, whatever the pair's
/// position in the tile, the panel or the block. Equal vectors therefore get bit-identical similarities,
/// which the documented tie-breaks rely on. Rows past the valid ones repeat the last valid row.
/// </remarks>
internal static unsafe class SimilarityKernel
{
    /// <summary>Query rows per micro-tile.</summary>
    public const int TileRows = 6;

    /// <summary>Which vector width the current process uses (tests and benchmarks report it).</summary>
    public static string Path =>
        Vector512.IsHardwareAccelerated ? "Vector512" :
        Vector256.IsHardwareAccelerated ? "Vector256" :
        Vector128.IsHardwareAccelerated ? "Vector128" : "Scalar";

    /// <summary>
    /// output[i · 64 + c] = Σ_t q[i·dim + t] · panel[t · 64 + c] for i &lt; rows (≤ <see cref="TileRows"/>),
    /// c &lt; 64. Query rows are contiguous with stride <paramref name="dim"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(float* q, int rows, int dim, float* panel, float* output)
    {
        var last = rows - 1;
        var q0 = q;
        var q1 = q + (long)Math.Min(1, last) * dim;
        var q2 = q + (long)Math.Min(2, last) * dim;
        var q3 = q + (long)Math.Min(3, last) * dim;
        var q4 = q + (long)Math.Min(4, last) * dim;
        var q5 = q + (long)Math.Min(5, last) * dim;
        if (Vector512.IsHardwareAccelerated) Tile512(q0, q1, q2, q3, q4, q5, dim, panel, output);
        // Without 256-bit hardware, Vector256 runs as two Vector128 halves: still far faster than scalar.
        else if (Vector128.IsHardwareAccelerated) Tile256(q0, q1, q2, q3, q4, q5, dim, panel, output);
        else TileScalar([(nint)q0, (nint)q1, (nint)q2, (nint)q3, (nint)q4, (nint)q5], dim, panel, output);
    }

    /// <summary>Bit c set when row[c] ≥ threshold, for c &lt; count (≤ 64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AtLeast(float* row, int count, float threshold)
    {
        ulong mask;
        if (Vector512.IsHardwareAccelerated)
        {
            var t = Vector512.Create(threshold);
            mask = Vector512.GreaterThanOrEqual(Vector512.Load(row), t).ExtractMostSignificantBits()
                 | Vector512.GreaterThanOrEqual(Vector512.Load(row + 16), t).ExtractMostSignificantBits() << 16
                 | Vector512.GreaterThanOrEqual(Vector512.Load(row + 32), t).ExtractMostSignificantBits() << 32
                 | Vector512.GreaterThanOrEqual(Vector512.Load(row + 48), t).ExtractMostSignificantBits() << 48;
        }
        else
        {
            mask = 0;
            for (var c = 0; c < PackedRows.PanelRows; c++) if (row[c] >= threshold) mask |= 1UL << c;
        }
        return count >= 64 ? mask : mask & ((1UL << count) - 1);
    }

    // The widths are written out rather than shared through a generic vector interface so that the JIT
    // keeps all 24 accumulators in registers (AVX-512 has 32).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile512(float* q0, float* q1, float* q2, float* q3, float* q4, float* q5, int dim, float* p, float* r)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
        for (var t = 0; t < dim; t++, p += 64)
        {
            var b0 = Vector512.LoadAligned(p); var b1 = Vector512.LoadAligned(p + 16);
            var b2 = Vector512.LoadAligned(p + 32); var b3 = Vector512.LoadAligned(p + 48);
            var a = Vector512.Create(q0[t]);
            c00 = Vector512.FusedMultiplyAdd(a, b0, c00); c01 = Vector512.FusedMultiplyAdd(a, b1, c01);
            c02 = Vector512.FusedMultiplyAdd(a, b2, c02); c03 = Vector512.FusedMultiplyAdd(a, b3, c03);
            a = Vector512.Create(q1[t]);
            c10 = Vector512.FusedMultiplyAdd(a, b0, c10); c11 = Vector512.FusedMultiplyAdd(a, b1, c11);
            c12 = Vector512.FusedMultiplyAdd(a, b2, c12); c13 = Vector512.FusedMultiplyAdd(a, b3, c13);
            a = Vector512.Create(q2[t]);
            c20 = Vector512.FusedMultiplyAdd(a, b0, c20); c21 = Vector512.FusedMultiplyAdd(a, b1, c21);
            c22 = Vector512.FusedMultiplyAdd(a, b2, c22); c23 = Vector512.FusedMultiplyAdd(a, b3, c23);
            a = Vector512.Create(q3[t]);
            c30 = Vector512.FusedMultiplyAdd(a, b0, c30); c31 = Vector512.FusedMultiplyAdd(a, b1, c31);
            c32 = Vector512.FusedMultiplyAdd(a, b2, c32); c33 = Vector512.FusedMultiplyAdd(a, b3, c33);
            a = Vector512.Create(q4[t]);
            c40 = Vector512.FusedMultiplyAdd(a, b0, c40); c41 = Vector512.FusedMultiplyAdd(a, b1, c41);
            c42 = Vector512.FusedMultiplyAdd(a, b2, c42); c43 = Vector512.FusedMultiplyAdd(a, b3, c43);
            a = Vector512.Create(q5[t]);
            c50 = Vector512.FusedMultiplyAdd(a, b0, c50); c51 = Vector512.FusedMultiplyAdd(a, b1, c51);
            c52 = Vector512.FusedMultiplyAdd(a, b2, c52); c53 = Vector512.FusedMultiplyAdd(a, b3, c53);
        }
        c00.Store(r); c01.Store(r + 16); c02.Store(r + 32); c03.Store(r + 48);
        c10.Store(r + 64); c11.Store(r + 80); c12.Store(r + 96); c13.Store(r + 112);
        c20.Store(r + 128); c21.Store(r + 144); c22.Store(r + 160); c23.Store(r + 176);
        c30.Store(r + 192); c31.Store(r + 208); c32.Store(r + 224); c33.Store(r + 240);
        c40.Store(r + 256); c41.Store(r + 272); c42.Store(r + 288); c43.Store(r + 304);
        c50.Store(r + 320); c51.Store(r + 336); c52.Store(r + 352); c53.Store(r + 368);
    }

    // 16 registers: the panel's 64 columns in four strips of 16 (2 vectors), 12 accumulators each.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile256(float* q0, float* q1, float* q2, float* q3, float* q4, float* q5, int dim, float* panel, float* r)
    {
        for (var strip = 0; strip < 64; strip += 16)
        {
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            var p = panel + strip;
            for (var t = 0; t < dim; t++, p += 64)
            {
                var b0 = Vector256.Load(p); var b1 = Vector256.Load(p + 8);
                var a = Vector256.Create(q0[t]); c00 = Vector256.MultiplyAddEstimate(a, b0, c00); c01 = Vector256.MultiplyAddEstimate(a, b1, c01);
                a = Vector256.Create(q1[t]); c10 = Vector256.MultiplyAddEstimate(a, b0, c10); c11 = Vector256.MultiplyAddEstimate(a, b1, c11);
                a = Vector256.Create(q2[t]); c20 = Vector256.MultiplyAddEstimate(a, b0, c20); c21 = Vector256.MultiplyAddEstimate(a, b1, c21);
                a = Vector256.Create(q3[t]); c30 = Vector256.MultiplyAddEstimate(a, b0, c30); c31 = Vector256.MultiplyAddEstimate(a, b1, c31);
                a = Vector256.Create(q4[t]); c40 = Vector256.MultiplyAddEstimate(a, b0, c40); c41 = Vector256.MultiplyAddEstimate(a, b1, c41);
                a = Vector256.Create(q5[t]); c50 = Vector256.MultiplyAddEstimate(a, b0, c50); c51 = Vector256.MultiplyAddEstimate(a, b1, c51);
            }
            var o = r + strip;
            c00.Store(o); c01.Store(o + 8); c10.Store(o + 64); c11.Store(o + 72); c20.Store(o + 128); c21.Store(o + 136);
            c30.Store(o + 192); c31.Store(o + 200); c40.Store(o + 256); c41.Store(o + 264); c50.Store(o + 320); c51.Store(o + 328);
        }
    }

    private static void TileScalar(ReadOnlySpan<nint> rows, int dim, float* panel, float* r)
    {
        for (var i = 0; i < TileRows; i++)
        {
            var q = (float*)rows[i];
            for (var c = 0; c < 64; c++)
            {
                var acc = 0f;
                for (var t = 0; t < dim; t++) acc = MathF.FusedMultiplyAdd(q[t], panel[t * 64 + c], acc);
                r[i * 64 + c] = acc;
            }
        }
    }
}
