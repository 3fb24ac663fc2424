using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TraceProbe.Neighbours;

/// <summary>
/// Blocked dot products of query rows against database rows (a GEMM of Q · Dᵀ), computed in 4 × 4
/// register tiles: each step loads 4 query and 4 database vectors and issues 16 multiply-adds, so the
/// work is bound by arithmetic rather than by loads, which a per-pair dot product is not.
/// </summary>
/// <remarks>
/// Every pair goes through the same tile code with the same accumulation order (one accumulator per
/// lane, then a horizontal sum, then the scalar dimension remainder in order), whatever its position in
/// the tile; edge tiles repeat their last valid row instead of switching to other code. Equal vectors
/// therefore get bit-identical similarities, which the documented tie-breaks rely on.
/// </remarks>
internal static unsafe class SimilarityKernel
{
    public const int Tile = 4;

    /// <summary>Which vector width the current process uses (tests and benchmarks report it).</summary>
    public static string Path =>
        Vector512.IsHardwareAccelerated ? "Vector512" :
        Vector256.IsHardwareAccelerated ? "Vector256" :
        Vector128.IsHardwareAccelerated ? "Vector128" : "Scalar";

    /// <summary>
    /// output[i * outputStride + j] = Σ_t q[i·dim + t] · db[j·dim + t] for i &lt; queryRows, j &lt; databaseRows.
    /// Rows are contiguous with stride <paramref name="dim"/>.
    /// </summary>
    // Full optimisation from the first call: a run calls this few times, each for seconds, so it
    // must not start in unoptimised tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(float* q, int queryRows, float* db, int databaseRows, int dim, float* output, int outputStride)
    {
        var tile = stackalloc float[Tile * Tile];
        for (var i0 = 0; i0 < queryRows; i0 += Tile)
        {
            var qi = Math.Min(Tile, queryRows - i0);
            var q0 = q + (long)i0 * dim;
            var q1 = q + (long)(i0 + Math.Min(1, qi - 1)) * dim;
            var q2 = q + (long)(i0 + Math.Min(2, qi - 1)) * dim;
            var q3 = q + (long)(i0 + Math.Min(3, qi - 1)) * dim;
            for (var j0 = 0; j0 < databaseRows; j0 += Tile)
            {
                var dj = Math.Min(Tile, databaseRows - j0);
                var d0 = db + (long)j0 * dim;
                var d1 = db + (long)(j0 + Math.Min(1, dj - 1)) * dim;
                var d2 = db + (long)(j0 + Math.Min(2, dj - 1)) * dim;
                var d3 = db + (long)(j0 + Math.Min(3, dj - 1)) * dim;
                Tile4x4(q0, q1, q2, q3, d0, d1, d2, d3, dim, tile);
                for (var a = 0; a < qi; a++)
                {
                    var row = output + (long)(i0 + a) * outputStride + j0;
                    for (var b = 0; b < dj; b++) row[b] = tile[a * Tile + b];
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x4(float* q0, float* q1, float* q2, float* q3, float* d0, float* d1, float* d2, float* d3, int dim, float* r)
    {
        int t;
        if (Vector512.IsHardwareAccelerated && dim >= Vector512<float>.Count)
            t = Tile512(q0, q1, q2, q3, d0, d1, d2, d3, dim, r);
        else if (Vector256.IsHardwareAccelerated && dim >= Vector256<float>.Count)
            t = Tile256(q0, q1, q2, q3, d0, d1, d2, d3, dim, r);
        else if (Vector128.IsHardwareAccelerated && dim >= Vector128<float>.Count)
            t = Tile128(q0, q1, q2, q3, d0, d1, d2, d3, dim, r);
        else
        {
            for (var k = 0; k < Tile * Tile; k++) r[k] = 0f;
            t = 0;
        }

        // Explicit remainder: the dimensions past the last full vector, in order, for all 16 pairs.
        for (; t < dim; t++)
        {
            float a0 = q0[t], a1 = q1[t], a2 = q2[t], a3 = q3[t];
            float b0 = d0[t], b1 = d1[t], b2 = d2[t], b3 = d3[t];
            r[0] += a0 * b0; r[1] += a0 * b1; r[2] += a0 * b2; r[3] += a0 * b3;
            r[4] += a1 * b0; r[5] += a1 * b1; r[6] += a1 * b2; r[7] += a1 * b3;
            r[8] += a2 * b0; r[9] += a2 * b1; r[10] += a2 * b2; r[11] += a2 * b3;
            r[12] += a3 * b0; r[13] += a3 * b1; r[14] += a3 * b2; r[15] += a3 * b3;
        }
    }

    // The three widths are written out rather than shared through a generic vector interface so that
    // the JIT keeps all 16 accumulators in registers on the widest path.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Tile512(float* q0, float* q1, float* q2, float* q3, float* d0, float* d1, float* d2, float* d3, int dim, float* r)
    {
        const int w = 64 / sizeof(float);
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        var t = 0;
        for (; t <= dim - w; t += w)
        {
            var b0 = Vector512.Load(d0 + t); var b1 = Vector512.Load(d1 + t);
            var b2 = Vector512.Load(d2 + t); var b3 = Vector512.Load(d3 + t);
            var a = Vector512.Load(q0 + t);
            c00 = Vector512.MultiplyAddEstimate(a, b0, c00); c01 = Vector512.MultiplyAddEstimate(a, b1, c01);
            c02 = Vector512.MultiplyAddEstimate(a, b2, c02); c03 = Vector512.MultiplyAddEstimate(a, b3, c03);
            a = Vector512.Load(q1 + t);
            c10 = Vector512.MultiplyAddEstimate(a, b0, c10); c11 = Vector512.MultiplyAddEstimate(a, b1, c11);
            c12 = Vector512.MultiplyAddEstimate(a, b2, c12); c13 = Vector512.MultiplyAddEstimate(a, b3, c13);
            a = Vector512.Load(q2 + t);
            c20 = Vector512.MultiplyAddEstimate(a, b0, c20); c21 = Vector512.MultiplyAddEstimate(a, b1, c21);
            c22 = Vector512.MultiplyAddEstimate(a, b2, c22); c23 = Vector512.MultiplyAddEstimate(a, b3, c23);
            a = Vector512.Load(q3 + t);
            c30 = Vector512.MultiplyAddEstimate(a, b0, c30); c31 = Vector512.MultiplyAddEstimate(a, b1, c31);
            c32 = Vector512.MultiplyAddEstimate(a, b2, c32); c33 = Vector512.MultiplyAddEstimate(a, b3, c33);
        }
        r[0] = Vector512.Sum(c00); r[1] = Vector512.Sum(c01); r[2] = Vector512.Sum(c02); r[3] = Vector512.Sum(c03);
        r[4] = Vector512.Sum(c10); r[5] = Vector512.Sum(c11); r[6] = Vector512.Sum(c12); r[7] = Vector512.Sum(c13);
        r[8] = Vector512.Sum(c20); r[9] = Vector512.Sum(c21); r[10] = Vector512.Sum(c22); r[11] = Vector512.Sum(c23);
        r[12] = Vector512.Sum(c30); r[13] = Vector512.Sum(c31); r[14] = Vector512.Sum(c32); r[15] = Vector512.Sum(c33);
        return t;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Tile256(float* q0, float* q1, float* q2, float* q3, float* d0, float* d1, float* d2, float* d3, int dim, float* r)
    {
        const int w = 32 / sizeof(float);
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector256<float> c30 = default, c31 = default, c32 = default, c33 = default;
        var t = 0;
        for (; t <= dim - w; t += w)
        {
            var b0 = Vector256.Load(d0 + t); var b1 = Vector256.Load(d1 + t);
            var b2 = Vector256.Load(d2 + t); var b3 = Vector256.Load(d3 + t);
            var a = Vector256.Load(q0 + t);
            c00 = Vector256.MultiplyAddEstimate(a, b0, c00); c01 = Vector256.MultiplyAddEstimate(a, b1, c01);
            c02 = Vector256.MultiplyAddEstimate(a, b2, c02); c03 = Vector256.MultiplyAddEstimate(a, b3, c03);
            a = Vector256.Load(q1 + t);
            c10 = Vector256.MultiplyAddEstimate(a, b0, c10); c11 = Vector256.MultiplyAddEstimate(a, b1, c11);
            c12 = Vector256.MultiplyAddEstimate(a, b2, c12); c13 = Vector256.MultiplyAddEstimate(a, b3, c13);
            a = Vector256.Load(q2 + t);
            c20 = Vector256.MultiplyAddEstimate(a, b0, c20); c21 = Vector256.MultiplyAddEstimate(a, b1, c21);
            c22 = Vector256.MultiplyAddEstimate(a, b2, c22); c23 = Vector256.MultiplyAddEstimate(a, b3, c23);
            a = Vector256.Load(q3 + t);
            c30 = Vector256.MultiplyAddEstimate(a, b0, c30); c31 = Vector256.MultiplyAddEstimate(a, b1, c31);
            c32 = Vector256.MultiplyAddEstimate(a, b2, c32); c33 = Vector256.MultiplyAddEstimate(a, b3, c33);
        }
        r[0] = Vector256.Sum(c00); r[1] = Vector256.Sum(c01); r[2] = Vector256.Sum(c02); r[3] = Vector256.Sum(c03);
        r[4] = Vector256.Sum(c10); r[5] = Vector256.Sum(c11); r[6] = Vector256.Sum(c12); r[7] = Vector256.Sum(c13);
        r[8] = Vector256.Sum(c20); r[9] = Vector256.Sum(c21); r[10] = Vector256.Sum(c22); r[11] = Vector256.Sum(c23);
        r[12] = Vector256.Sum(c30); r[13] = Vector256.Sum(c31); r[14] = Vector256.Sum(c32); r[15] = Vector256.Sum(c33);
        return t;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Tile128(float* q0, float* q1, float* q2, float* q3, float* d0, float* d1, float* d2, float* d3, int dim, float* r)
    {
        const int w = 16 / sizeof(float);
        Vector128<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector128<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector128<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector128<float> c30 = default, c31 = default, c32 = default, c33 = default;
        var t = 0;
        for (; t <= dim - w; t += w)
        {
            var b0 = Vector128.Load(d0 + t); var b1 = Vector128.Load(d1 + t);
            var b2 = Vector128.Load(d2 + t); var b3 = Vector128.Load(d3 + t);
            var a = Vector128.Load(q0 + t);
            c00 = Vector128.MultiplyAddEstimate(a, b0, c00); c01 = Vector128.MultiplyAddEstimate(a, b1, c01);
            c02 = Vector128.MultiplyAddEstimate(a, b2, c02); c03 = Vector128.MultiplyAddEstimate(a, b3, c03);
            a = Vector128.Load(q1 + t);
            c10 = Vector128.MultiplyAddEstimate(a, b0, c10); c11 = Vector128.MultiplyAddEstimate(a, b1, c11);
            c12 = Vector128.MultiplyAddEstimate(a, b2, c12); c13 = Vector128.MultiplyAddEstimate(a, b3, c13);
            a = Vector128.Load(q2 + t);
            c20 = Vector128.MultiplyAddEstimate(a, b0, c20); c21 = Vector128.MultiplyAddEstimate(a, b1, c21);
            c22 = Vector128.MultiplyAddEstimate(a, b2, c22); c23 = Vector128.MultiplyAddEstimate(a, b3, c23);
            a = Vector128.Load(q3 + t);
            c30 = Vector128.MultiplyAddEstimate(a, b0, c30); c31 = Vector128.MultiplyAddEstimate(a, b1, c31);
            c32 = Vector128.MultiplyAddEstimate(a, b2, c32); c33 = Vector128.MultiplyAddEstimate(a, b3, c33);
        }
        r[0] = Vector128.Sum(c00); r[1] = Vector128.Sum(c01); r[2] = Vector128.Sum(c02); r[3] = Vector128.Sum(c03);
        r[4] = Vector128.Sum(c10); r[5] = Vector128.Sum(c11); r[6] = Vector128.Sum(c12); r[7] = Vector128.Sum(c13);
        r[8] = Vector128.Sum(c20); r[9] = Vector128.Sum(c21); r[10] = Vector128.Sum(c22); r[11] = Vector128.Sum(c23);
        r[12] = Vector128.Sum(c30); r[13] = Vector128.Sum(c31); r[14] = Vector128.Sum(c32); r[15] = Vector128.Sum(c33);
        return t;
    }
}
