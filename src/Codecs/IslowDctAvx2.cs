using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TraceProbe.Images.IslowDct;

namespace TraceProbe.Images;

/// <summary>
/// <see cref="BlockRequantiser"/>'s block step with AVX2, eight 32-bit lanes per row: the same integer operations as
/// <see cref="IslowDct"/> and <see cref="JpegQuantisation.Quantise"/> in the same order, so the same samples
/// (tests compare the two on every block of real photos and of noise). Each 1-D pass works across eight row
/// vectors; transposes put the other direction into the lanes. <see cref="InverseBlock(int*, byte*, int)"/> is the inverse half alone,
/// for <see cref="BaselineJpegDecoder"/>'s dequantised coefficients.
/// </summary>
internal static class IslowDctAvx2
{
    public static bool IsSupported => Avx2.IsSupported;

    // Compiled optimised at the first call: the loop is hot from the first image.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(byte[] plane, int stride, int rows, JpegQuantisation q)
    {
        fixed (byte* origin = plane)
        fixed (int* step = q.Step, recip = q.Reciprocal, corr = q.Correction, shift = q.Shift)
        {
            for (var by = 0; by < rows; by += 8)
            for (var bx = 0; bx < stride; bx += 8)
                Block(origin + by * stride + bx, stride, step, recip, corr, shift);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Block(byte* p, int stride, int* step, int* recip, int* corr, int* shift)
    {
        var centre = Vector256.Create(128);
        var r0 = Avx2.ConvertToVector256Int32(p) - centre;
        var r1 = Avx2.ConvertToVector256Int32(p + stride) - centre;
        var r2 = Avx2.ConvertToVector256Int32(p + 2 * stride) - centre;
        var r3 = Avx2.ConvertToVector256Int32(p + 3 * stride) - centre;
        var r4 = Avx2.ConvertToVector256Int32(p + 4 * stride) - centre;
        var r5 = Avx2.ConvertToVector256Int32(p + 5 * stride) - centre;
        var r6 = Avx2.ConvertToVector256Int32(p + 6 * stride) - centre;
        var r7 = Avx2.ConvertToVector256Int32(p + 7 * stride) - centre;

        // Forward: rows (lanes hold a column's samples after the transpose), then columns.
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Forward(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, first: true);
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Forward(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, first: false);

        // r_v now holds row v of the coefficients, natural order.
        r0 = Requantise(r0, 0, step, recip, corr, shift);
        r1 = Requantise(r1, 8, step, recip, corr, shift);
        r2 = Requantise(r2, 16, step, recip, corr, shift);
        r3 = Requantise(r3, 24, step, recip, corr, shift);
        r4 = Requantise(r4, 32, step, recip, corr, shift);
        r5 = Requantise(r5, 40, step, recip, corr, shift);
        r6 = Requantise(r6, 48, step, recip, corr, shift);
        r7 = Requantise(r7, 56, step, recip, corr, shift);

        // Inverse: columns (across the row vectors), then rows.
        Inverse(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, ConstBits - Pass1Bits);
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Inverse(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, ConstBits + Pass1Bits + 3);
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);

        Store(p, stride, r0, r1, r2, r3, r4, r5, r6, r7);
    }

    /// <summary>Inverse DCT of one block of dequantised coefficients (natural order, row-major, 32-byte aligned) into
    /// 8×8 samples: <see cref="IslowDct.Inverse"/>'s sums. False, with the samples still written, where libjpeg-turbo's
    /// two inverse DCTs could disagree with these sums and so with each other: its SIMD form keeps coefficients and the
    /// pass between the two halves in 16 bits (a dequantised coefficient or a first-pass value beyond ±16383 could
    /// wrap or saturate there), and its C form range-limits through a table that wraps outside −512…511.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe bool InverseBlock(int* coefficients, byte* p, int stride)
    {
        var r0 = Avx.LoadAlignedVector256(coefficients);
        var r1 = Avx.LoadAlignedVector256(coefficients + 8);
        var r2 = Avx.LoadAlignedVector256(coefficients + 16);
        var r3 = Avx.LoadAlignedVector256(coefficients + 24);
        var r4 = Avx.LoadAlignedVector256(coefficients + 32);
        var r5 = Avx.LoadAlignedVector256(coefficients + 40);
        var r6 = Avx.LoadAlignedVector256(coefficients + 48);
        var r7 = Avx.LoadAlignedVector256(coefficients + 56);
        var wide = Magnitudes(r0, r1, r2, r3, r4, r5, r6, r7);
        Inverse(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, ConstBits - Pass1Bits);
        wide |= Magnitudes(r0, r1, r2, r3, r4, r5, r6, r7);
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Inverse(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, ConstBits + Pass1Bits + 3);
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        // −512…511 shifted to 0…1023: any other value sets a bit above them.
        var half = Vector256.Create(512);
        var outside = (r0 + half) | (r1 + half) | (r2 + half) | (r3 + half) | (r4 + half) | (r5 + half) | (r6 + half) | (r7 + half);
        Store(p, stride, r0, r1, r2, r3, r4, r5, r6, r7);
        return ((wide & Vector256.Create(~16383)) | (outside & Vector256.Create(~1023))) == Vector256<int>.Zero;
    }

    /// <summary><see cref="InverseBlock(int*, byte*, int)"/> for callers without pointers (its tests).</summary>
    public static unsafe bool InverseBlock(ReadOnlySpan<int> coefficients, Span<byte> output, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(output.Length, 7 * stride + 8);
        var store = stackalloc int[64 + 8];
        var block = (int*)(((nint)store + 31) & ~(nint)31);
        coefficients[..64].CopyTo(new Span<int>(block, 64));
        fixed (byte* p = output) return InverseBlock(block, p, stride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Magnitudes(Vector256<int> r0, Vector256<int> r1, Vector256<int> r2, Vector256<int> r3,
        Vector256<int> r4, Vector256<int> r5, Vector256<int> r6, Vector256<int> r7) =>
        (Avx2.Abs(r0) | Avx2.Abs(r1) | Avx2.Abs(r2) | Avx2.Abs(r3) | Avx2.Abs(r4) | Avx2.Abs(r5) | Avx2.Abs(r6) | Avx2.Abs(r7)).AsInt32();

    /// <summary>Centre and saturate to bytes (as libjpeg-turbo's SIMD code does), two packs give rows 0–3 and 4–7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(byte* p, int stride, Vector256<int> r0, Vector256<int> r1, Vector256<int> r2, Vector256<int> r3,
        Vector256<int> r4, Vector256<int> r5, Vector256<int> r6, Vector256<int> r7)
    {
        var centre = Vector256.Create(128);
        var a = Avx2.PackSignedSaturate(r0 + centre, r1 + centre);
        var b = Avx2.PackSignedSaturate(r2 + centre, r3 + centre);
        var c = Avx2.PackSignedSaturate(r4 + centre, r5 + centre);
        var d = Avx2.PackSignedSaturate(r6 + centre, r7 + centre);
        var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
        var top = Avx2.PermuteVar8x32(Avx2.PackUnsignedSaturate(a, b).AsInt32(), order).AsUInt64();
        var bottom = Avx2.PermuteVar8x32(Avx2.PackUnsignedSaturate(c, d).AsInt32(), order).AsUInt64();
        *(ulong*)p = top.GetElement(0);
        *(ulong*)(p + stride) = top.GetElement(1);
        *(ulong*)(p + 2 * stride) = top.GetElement(2);
        *(ulong*)(p + 3 * stride) = top.GetElement(3);
        *(ulong*)(p + 4 * stride) = bottom.GetElement(0);
        *(ulong*)(p + 5 * stride) = bottom.GetElement(1);
        *(ulong*)(p + 6 * stride) = bottom.GetElement(2);
        *(ulong*)(p + 7 * stride) = bottom.GetElement(3);
    }

    /// <summary>Quantise as libjpeg-turbo's <c>quantize</c> (magnitude plus correction, times the reciprocal, shifted,
    /// sign restored), then dequantise (level × step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<int> Requantise(Vector256<int> coefficient, int at, int* step, int* recip, int* corr, int* shift)
    {
        var magnitude = Avx2.Abs(coefficient) + Avx.LoadVector256((uint*)(corr + at));
        var level = Avx2.ShiftRightLogicalVariable(Avx2.MultiplyLow(magnitude, Avx.LoadVector256((uint*)(recip + at))),
            Avx.LoadVector256((uint*)(shift + at))).AsInt32();
        return Avx2.MultiplyLow(Avx2.Sign(level, coefficient), Avx.LoadVector256(step + at));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Descale(Vector256<int> x, int n) => (x + Vector256.Create(1 << (n - 1))) >> n;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Forward(ref Vector256<int> d0, ref Vector256<int> d1, ref Vector256<int> d2, ref Vector256<int> d3,
        ref Vector256<int> d4, ref Vector256<int> d5, ref Vector256<int> d6, ref Vector256<int> d7, bool first)
    {
        Vector256<int> t0 = d0 + d7, t7 = d0 - d7, t1 = d1 + d6, t6 = d1 - d6;
        Vector256<int> t2 = d2 + d5, t5 = d2 - d5, t3 = d3 + d4, t4 = d3 - d4;
        Vector256<int> t10 = t0 + t3, t13 = t0 - t3, t11 = t1 + t2, t12 = t1 - t2;
        var odd = first ? ConstBits - Pass1Bits : ConstBits + Pass1Bits;
        d0 = first ? (t10 + t11) << Pass1Bits : Descale(t10 + t11, Pass1Bits);
        d4 = first ? (t10 - t11) << Pass1Bits : Descale(t10 - t11, Pass1Bits);
        var z1 = (t12 + t13) * F0541;
        d2 = Descale(z1 + t13 * F0765, odd);
        d6 = Descale(z1 - t12 * F1847, odd);

        Vector256<int> a1 = t4 + t7, a2 = t5 + t6, a3 = t4 + t6, a4 = t5 + t7;
        var z5 = (a3 + a4) * F1175;
        t4 *= F0298; t5 *= F2053; t6 *= F3072; t7 *= F1501;
        a1 *= -F0899; a2 *= -F2562; a3 = a3 * -F1961 + z5; a4 = a4 * -F0390 + z5;
        d7 = Descale(t4 + a1 + a3, odd);
        d5 = Descale(t5 + a2 + a4, odd);
        d3 = Descale(t6 + a2 + a3, odd);
        d1 = Descale(t7 + a1 + a4, odd);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Inverse(ref Vector256<int> c0, ref Vector256<int> c1, ref Vector256<int> c2, ref Vector256<int> c3,
        ref Vector256<int> c4, ref Vector256<int> c5, ref Vector256<int> c6, ref Vector256<int> c7, int shift)
    {
        var z1 = (c2 + c6) * F0541;
        var t2 = z1 - c6 * F1847;
        var t3 = z1 + c2 * F0765;
        var t0 = (c0 + c4) << ConstBits;
        var t1 = (c0 - c4) << ConstBits;
        Vector256<int> t10 = t0 + t3, t13 = t0 - t3, t11 = t1 + t2, t12 = t1 - t2;

        Vector256<int> u0 = c7, u1 = c5, u2 = c3, u3 = c1;
        Vector256<int> a1 = u0 + u3, a2 = u1 + u2, a3 = u0 + u2, a4 = u1 + u3;
        var z5 = (a3 + a4) * F1175;
        u0 *= F0298; u1 *= F2053; u2 *= F3072; u3 *= F1501;
        a1 *= -F0899; a2 *= -F2562; a3 = a3 * -F1961 + z5; a4 = a4 * -F0390 + z5;
        u0 += a1 + a3; u1 += a2 + a4; u2 += a2 + a3; u3 += a1 + a4;

        c0 = Descale(t10 + u3, shift); c7 = Descale(t10 - u3, shift);
        c1 = Descale(t11 + u2, shift); c6 = Descale(t11 - u2, shift);
        c2 = Descale(t12 + u1, shift); c5 = Descale(t12 - u1, shift);
        c3 = Descale(t13 + u0, shift); c4 = Descale(t13 - u0, shift);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(ref Vector256<int> r0, ref Vector256<int> r1, ref Vector256<int> r2, ref Vector256<int> r3,
        ref Vector256<int> r4, ref Vector256<int> r5, ref Vector256<int> r6, ref Vector256<int> r7)
    {
        var t0 = Avx2.UnpackLow(r0, r1).AsInt64(); var t1 = Avx2.UnpackHigh(r0, r1).AsInt64();
        var t2 = Avx2.UnpackLow(r2, r3).AsInt64(); var t3 = Avx2.UnpackHigh(r2, r3).AsInt64();
        var t4 = Avx2.UnpackLow(r4, r5).AsInt64(); var t5 = Avx2.UnpackHigh(r4, r5).AsInt64();
        var t6 = Avx2.UnpackLow(r6, r7).AsInt64(); var t7 = Avx2.UnpackHigh(r6, r7).AsInt64();
        var u0 = Avx2.UnpackLow(t0, t2).AsInt32(); var u1 = Avx2.UnpackHigh(t0, t2).AsInt32();
        var u2 = Avx2.UnpackLow(t1, t3).AsInt32(); var u3 = Avx2.UnpackHigh(t1, t3).AsInt32();
        var u4 = Avx2.UnpackLow(t4, t6).AsInt32(); var u5 = Avx2.UnpackHigh(t4, t6).AsInt32();
        var u6 = Avx2.UnpackLow(t5, t7).AsInt32(); var u7 = Avx2.UnpackHigh(t5, t7).AsInt32();
        r0 = Avx2.Permute2x128(u0, u4, 0x20); r4 = Avx2.Permute2x128(u0, u4, 0x31);
        r1 = Avx2.Permute2x128(u1, u5, 0x20); r5 = Avx2.Permute2x128(u1, u5, 0x31);
        r2 = Avx2.Permute2x128(u2, u6, 0x20); r6 = Avx2.Permute2x128(u2, u6, 0x31);
        r3 = Avx2.Permute2x128(u3, u7, 0x20); r7 = Avx2.Permute2x128(u3, u7, 0x31);
    }
}
