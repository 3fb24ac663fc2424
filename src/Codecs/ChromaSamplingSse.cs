using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TraceProbe.Images;

/// <summary>
/// <see cref="JpegPlanes"/>' 4:2:0 chroma steps on 8 chroma samples at a time with SSE4.1: the same integer sums as
/// its scalar loops (which handle the edges), in 16-bit lanes (no sum exceeds 4,088).
/// </summary>
internal static class ChromaSamplingSse
{
    public const int Samples = 8;

    public static bool IsSupported => Sse41.IsSupported;

    /// <summary>libjpeg's h2v2_downsample for outputs [0, count), count a multiple of <see cref="Samples"/>:
    /// the 2×2 sum plus the alternating bias 1, 2, shifted by 2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Downsample(byte* top, byte* bottom, byte* output, int count)
    {
        var ones = Vector128.Create((sbyte)1);
        var bias = Vector128.Create(1, 2, 1, 2, 1, 2, 1, 2);
        for (var c = 0; c < count; c += Samples)
        {
            var sum = Ssse3.MultiplyAddAdjacent(Sse2.LoadVector128(top + 2 * c), ones)
                + Ssse3.MultiplyAddAdjacent(Sse2.LoadVector128(bottom + 2 * c), ones) + bias;
            *(ulong*)(output + c) = Sse2.PackUnsignedSaturate(sum >> 2, sum >> 2).AsUInt64().ToScalar();
        }
    }

    /// <summary>libjpeg's h2v2_fancy_upsample for chroma columns [from, to), to − from a multiple of
    /// <see cref="Samples"/>, each with both neighbours inside the row: outputs 2·from to 2·to.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Upsample(byte* near, byte* far, byte* output, int from, int to)
    {
        var three = Vector128.Create((short)3);
        Vector128<short> even = Vector128.Create((short)8), odd = Vector128.Create((short)7);
        for (var c = from; c < to; c += Samples)
        {
            var here = ColumnSum(near + c, far + c, three);
            var left = ColumnSum(near + c - 1, far + c - 1, three);
            var right = ColumnSum(near + c + 1, far + c + 1, three);
            var e = (here * three + left + even) >> 4;
            var o = (here * three + right + odd) >> 4;
            Sse2.Store(output + 2 * c, Sse2.PackUnsignedSaturate(Sse2.UnpackLow(e, o), Sse2.UnpackHigh(e, o)));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector128<short> ColumnSum(byte* near, byte* far, Vector128<short> three) =>
        Sse41.ConvertToVector128Int16(near) * three + Sse41.ConvertToVector128Int16(far);
}
