using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TraceProbe.Processing;

/// <summary>
/// <see cref="PillowResampler"/>'s horizontal pass on eight source rows at a time with AVX2: for each output column
/// and tap one gather reads the tap's pixel in all eight rows (4 bytes each, of which R, G and B are used), and the
/// same 22-bit fixed-point sums as the scalar pass accumulate in 32-bit lanes (integers: the same results). Reads
/// one byte past a row's last pixel, so the source array needs one byte of slack.
/// </summary>
internal static class HorizontalPassAvx2
{
    public const int Rows = 8;

    public static bool IsSupported => Avx2.IsSupported;

    /// <summary>Rows [0, count) of the block starting at source row firstRow; count a multiple of <see cref="Rows"/>.</summary>
    // Compiled optimised at the first call: the loop is hot from the first image.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(byte[] src, int inW, int firstRow, int count, int x0, int outW, int[] bounds, int[] kk,
        int ksize, byte[] dst, int precisionBits)
    {
        int rowBytes = inW * 3, outRow = outW * 3;
        var rows = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * rowBytes;
        var bytes = Vector256.Create(0xFF);
        var half = Vector256.Create(1 << (precisionBits - 1));
        var zero = Vector256<int>.Zero;
        var top = Vector256.Create(255);
        var sums = stackalloc int[3 * Rows];
        fixed (byte* source = src, target = dst)
        fixed (int* taps = kk, edges = bounds)
        {
            for (var y = 0; y < count; y += Rows)
            {
                var block = source + (long)(firstRow + y) * rowBytes;
                var output = target + (long)y * outRow;
                for (var i = 0; i < outW; i++)
                {
                    int xx = x0 + i, xmin = edges[2 * xx], xmax = edges[2 * xx + 1];
                    var k = taps + xx * ksize;
                    var p = block + xmin * 3;
                    Vector256<int> r = half, g = half, b = half;
                    for (var x = 0; x < xmax; x++)
                    {
                        var pixel = Avx2.GatherVector256((int*)(p + 3 * x), rows, 1);
                        var c = Vector256.Create(k[x]);
                        r += (pixel & bytes) * c;
                        g += ((pixel >> 8) & bytes) * c;
                        b += ((pixel >> 16) & bytes) * c;
                    }
                    Vector256.Store(Vector256.Min(Vector256.Max(r >> precisionBits, zero), top), sums);
                    Vector256.Store(Vector256.Min(Vector256.Max(g >> precisionBits, zero), top), sums + Rows);
                    Vector256.Store(Vector256.Min(Vector256.Max(b >> precisionBits, zero), top), sums + 2 * Rows);
                    var o = output + 3 * i;
                    for (var row = 0; row < Rows; row++, o += outRow)
                    {
                        o[0] = (byte)sums[row];
                        o[1] = (byte)sums[Rows + row];
                        o[2] = (byte)sums[2 * Rows + row];
                    }
                }
            }
        }
    }
}
