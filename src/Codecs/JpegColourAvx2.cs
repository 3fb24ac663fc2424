using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace TraceProbe.Images;

/// <summary>
/// <see cref="JpegColour"/>'s conversions on 16 pixels at a time with AVX2: RGB bytes split into planes by byte
/// shuffles, the same 16-bit fixed-point sums in 32-bit lanes (the decoder's tables are the same formulas), results
/// saturated to bytes as libjpeg-turbo's range limiting does. The caller converts the last few pixels of a row with
/// <see cref="JpegColour"/>.
/// </summary>
internal static class JpegColourAvx2
{
    public const int Pixels = 16;

    public static bool IsSupported => Avx2.IsSupported;

    // Byte shuffles between 48 interleaved RGB bytes (three vectors) and three 16-byte planes.
    private static readonly Vector128<byte>[] Split = Masks(split: true), Join = Masks(split: false);

    private static Vector128<byte>[] Masks(bool split)
    {
        // Split[3 * channel + source]: bytes of one source vector that belong to the channel's plane.
        // Join[3 * output + channel]: bytes of one output vector taken from the channel's plane.
        var masks = new Vector128<byte>[9];
        for (var a = 0; a < 3; a++)
        for (var b = 0; b < 3; b++)
        {
            var mask = new byte[16];
            for (var k = 0; k < 16; k++)
            {
                if (split)
                {
                    var g = 3 * k + a;
                    mask[k] = g / 16 == b ? (byte)(g % 16) : (byte)0x80;
                }
                else
                {
                    var g = 16 * a + k;
                    mask[k] = g % 3 == b ? (byte)(g / 3) : (byte)0x80;
                }
            }
            masks[3 * a + b] = Vector128.Create(mask);
        }
        return masks;
    }

    /// <summary>RGB → Y, Cb, Cr for <paramref name="count"/> pixels, a multiple of <see cref="Pixels"/>.</summary>
    // Compiled optimised at the first call: the loop is hot from the first image.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Forward(byte* rgb, byte* y, byte* cb, byte* cr, int count)
    {
        var ry = Vector256.Create(JpegColour.RY); var gy = Vector256.Create(JpegColour.GY); var by = Vector256.Create(JpegColour.BY);
        var rcb = Vector256.Create(JpegColour.RCb); var gcb = Vector256.Create(JpegColour.GCb);
        var gcr = Vector256.Create(JpegColour.GCr); var bcr = Vector256.Create(JpegColour.BCr);
        var yRound = Vector256.Create(JpegColour.YRounding); var cRound = Vector256.Create(JpegColour.CbCrRounding);
        Vector128<byte> r0 = Split[0], r1 = Split[1], r2 = Split[2], g0 = Split[3], g1 = Split[4], g2 = Split[5];
        Vector128<byte> b0 = Split[6], b1 = Split[7], b2 = Split[8];
        for (var i = 0; i < count; i += Pixels, rgb += 3 * Pixels)
        {
            var v0 = Sse2.LoadVector128(rgb); var v1 = Sse2.LoadVector128(rgb + 16); var v2 = Sse2.LoadVector128(rgb + 32);
            var r = Plane(v0, v1, v2, r0, r1, r2); var g = Plane(v0, v1, v2, g0, g1, g2); var b = Plane(v0, v1, v2, b0, b1, b2);
            var (rLo, rHi) = Widen(r); var (gLo, gHi) = Widen(g); var (bLo, bHi) = Widen(b);
            Sse2.Store(y + i, Narrow((ry * rLo + gy * gLo + by * bLo + yRound) >> 16, (ry * rHi + gy * gHi + by * bHi + yRound) >> 16));
            // The Cb coefficient of blue and the Cr coefficient of red are ½: a shift.
            Sse2.Store(cb + i, Narrow((rcb * rLo + gcb * gLo + (bLo << 15) + cRound) >> 16, (rcb * rHi + gcb * gHi + (bHi << 15) + cRound) >> 16));
            Sse2.Store(cr + i, Narrow(((rLo << 15) + gcr * gLo + bcr * bLo + cRound) >> 16, ((rHi << 15) + gcr * gHi + bcr * bHi + cRound) >> 16));
        }
    }

    /// <summary>Y, Cb, Cr → RGB for <paramref name="count"/> pixels, a multiple of <see cref="Pixels"/>.</summary>
    // Compiled optimised at the first call: the loop is hot from the first image.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Inverse(byte* y, byte* cb, byte* cr, byte* rgb, int count)
    {
        var centre = Vector256.Create(128); var half = Vector256.Create(1 << 15);
        var crR = Vector256.Create(JpegColour.FixCrR); var cbB = Vector256.Create(JpegColour.FixCbB);
        var crG = Vector256.Create(-JpegColour.FixCrG); var cbG = Vector256.Create(-JpegColour.FixCbG);
        Vector128<byte> j00 = Join[0], j01 = Join[1], j02 = Join[2], j10 = Join[3], j11 = Join[4], j12 = Join[5];
        Vector128<byte> j20 = Join[6], j21 = Join[7], j22 = Join[8];
        for (var i = 0; i < count; i += Pixels, rgb += 3 * Pixels)
        {
            var (yLo, yHi) = Widen(Sse2.LoadVector128(y + i));
            var (uLo, uHi) = Widen(Sse2.LoadVector128(cb + i));
            var (vLo, vHi) = Widen(Sse2.LoadVector128(cr + i));
            uLo -= centre; uHi -= centre; vLo -= centre; vHi -= centre;
            var r = Narrow(yLo + ((crR * vLo + half) >> 16), yHi + ((crR * vHi + half) >> 16));
            var g = Narrow(yLo + ((cbG * uLo + half + crG * vLo) >> 16), yHi + ((cbG * uHi + half + crG * vHi) >> 16));
            var b = Narrow(yLo + ((cbB * uLo + half) >> 16), yHi + ((cbB * uHi + half) >> 16));
            Sse2.Store(rgb, Plane(r, g, b, j00, j01, j02));
            Sse2.Store(rgb + 16, Plane(r, g, b, j10, j11, j12));
            Sse2.Store(rgb + 32, Plane(r, g, b, j20, j21, j22));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Plane(Vector128<byte> v0, Vector128<byte> v1, Vector128<byte> v2,
        Vector128<byte> m0, Vector128<byte> m1, Vector128<byte> m2) =>
        Sse2.Or(Sse2.Or(Ssse3.Shuffle(v0, m0), Ssse3.Shuffle(v1, m1)), Ssse3.Shuffle(v2, m2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<int> Low, Vector256<int> High) Widen(Vector128<byte> v) =>
        (Avx2.ConvertToVector256Int32(v), Avx2.ConvertToVector256Int32(Sse2.ShiftRightLogical128BitLane(v, 8)));

    /// <summary>Sixteen 32-bit lanes to bytes in order, saturating to 0–255.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Narrow(Vector256<int> low, Vector256<int> high)
    {
        var words = Avx2.Permute4x64(Avx2.PackSignedSaturate(low, high).AsInt64(), 0b11_01_10_00).AsInt16();
        return Sse2.PackUnsignedSaturate(words.GetLower(), words.GetUpper());
    }
}
