namespace TraceProbe.Images;

/// <summary>
/// libjpeg's "ISLOW" integer DCT (Loeffler–Ligtenberg–Moschytz, 13-bit constants, 2 extra bits between passes),
/// forward as jfdctint.c and inverse as jidctint.c compute it, one 8×8 block at a time: rows then columns forward,
/// columns then rows inverse, each product and rounding shift in the same order, so every coefficient and sample is
/// libjpeg-turbo's. Hand-written (no library exposes a JPEG's DCT without its file); this scalar form is the
/// specification <see cref="IslowDctAvx2"/> is tested against.
/// </summary>
internal static class IslowDct
{
    public const int ConstBits = 13, Pass1Bits = 2;

    public const int F0298 = 2446, F0390 = 3196, F0541 = 4433, F0765 = 6270, F0899 = 7373, F1175 = 9633,
        F1501 = 12299, F1847 = 15137, F1961 = 16069, F2053 = 16819, F2562 = 20995, F3072 = 25172;

    private static int Descale(int x, int n) => (x + (1 << (n - 1))) >> n;

    /// <summary>Forward DCT in place: 64 level-shifted samples (sample − 128, row-major) become coefficients scaled by 8.</summary>
    public static void Forward(Span<int> block)
    {
        for (var row = 0; row < 8; row++) Forward1D(block.Slice(row * 8), 1, pass: 1);
        for (var col = 0; col < 8; col++) Forward1D(block.Slice(col), 8, pass: 2);
    }

    private static void Forward1D(Span<int> d, int stride, int pass)
    {
        int t0 = d[0] + d[7 * stride], t7 = d[0] - d[7 * stride];
        int t1 = d[stride] + d[6 * stride], t6 = d[stride] - d[6 * stride];
        int t2 = d[2 * stride] + d[5 * stride], t5 = d[2 * stride] - d[5 * stride];
        int t3 = d[3 * stride] + d[4 * stride], t4 = d[3 * stride] - d[4 * stride];
        int t10 = t0 + t3, t13 = t0 - t3, t11 = t1 + t2, t12 = t1 - t2;
        // Pass 1 keeps Pass1Bits of extra precision; pass 2 removes them (results stay scaled by 8).
        var oddShift = pass == 1 ? ConstBits - Pass1Bits : ConstBits + Pass1Bits;
        d[0] = pass == 1 ? (t10 + t11) << Pass1Bits : Descale(t10 + t11, Pass1Bits);
        d[4 * stride] = pass == 1 ? (t10 - t11) << Pass1Bits : Descale(t10 - t11, Pass1Bits);
        var z1 = (t12 + t13) * F0541;
        d[2 * stride] = Descale(z1 + t13 * F0765, oddShift);
        d[6 * stride] = Descale(z1 - t12 * F1847, oddShift);

        int a1 = t4 + t7, a2 = t5 + t6, a3 = t4 + t6, a4 = t5 + t7;
        var z5 = (a3 + a4) * F1175;
        t4 *= F0298; t5 *= F2053; t6 *= F3072; t7 *= F1501;
        a1 *= -F0899; a2 *= -F2562; a3 *= -F1961; a4 *= -F0390;
        a3 += z5; a4 += z5;
        d[7 * stride] = Descale(t4 + a1 + a3, oddShift);
        d[5 * stride] = Descale(t5 + a2 + a4, oddShift);
        d[3 * stride] = Descale(t6 + a2 + a3, oddShift);
        d[stride] = Descale(t7 + a1 + a4, oddShift);
    }

    /// <summary>Inverse DCT of dequantised coefficients (level × step, natural order) into 8×8 samples, clamped to
    /// 0–255 as libjpeg-turbo's SIMD code saturates them.</summary>
    public static void Inverse(Span<int> coefficients, Span<byte> output, int outputStride)
    {
        Span<int> work = stackalloc int[64];
        for (var col = 0; col < 8; col++)
        {
            Inverse1D(coefficients.Slice(col), 8, out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7, ConstBits - Pass1Bits);
            work[col] = o0; work[8 + col] = o1; work[16 + col] = o2; work[24 + col] = o3;
            work[32 + col] = o4; work[40 + col] = o5; work[48 + col] = o6; work[56 + col] = o7;
        }
        for (var row = 0; row < 8; row++)
        {
            Inverse1D(work.Slice(row * 8), 1, out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7, ConstBits + Pass1Bits + 3);
            var line = output.Slice(row * outputStride, 8);
            line[0] = Sample(o0); line[1] = Sample(o1); line[2] = Sample(o2); line[3] = Sample(o3);
            line[4] = Sample(o4); line[5] = Sample(o5); line[6] = Sample(o6); line[7] = Sample(o7);
        }
    }

    private static byte Sample(int centred) => (byte)(Math.Clamp(centred, -128, 127) + 128);

    private static void Inverse1D(ReadOnlySpan<int> c, int stride, out int o0, out int o1, out int o2, out int o3,
        out int o4, out int o5, out int o6, out int o7, int shift)
    {
        // Even part. (libjpeg's shortcut for all-zero AC terms gives these same values, so it is not repeated.)
        int z2 = c[2 * stride], z3 = c[6 * stride];
        var z1 = (z2 + z3) * F0541;
        var t2 = z1 - z3 * F1847;
        var t3 = z1 + z2 * F0765;
        var t0 = (c[0] + c[4 * stride]) << ConstBits;
        var t1 = (c[0] - c[4 * stride]) << ConstBits;
        int t10 = t0 + t3, t13 = t0 - t3, t11 = t1 + t2, t12 = t1 - t2;

        // Odd part.
        int u0 = c[7 * stride], u1 = c[5 * stride], u2 = c[3 * stride], u3 = c[stride];
        int a1 = u0 + u3, a2 = u1 + u2, a3 = u0 + u2, a4 = u1 + u3;
        var z5 = (a3 + a4) * F1175;
        u0 *= F0298; u1 *= F2053; u2 *= F3072; u3 *= F1501;
        a1 *= -F0899; a2 *= -F2562; a3 *= -F1961; a4 *= -F0390;
        a3 += z5; a4 += z5;
        u0 += a1 + a3; u1 += a2 + a4; u2 += a2 + a3; u3 += a1 + a4;

        o0 = Descale(t10 + u3, shift); o7 = Descale(t10 - u3, shift);
        o1 = Descale(t11 + u2, shift); o6 = Descale(t11 - u2, shift);
        o2 = Descale(t12 + u1, shift); o5 = Descale(t12 - u1, shift);
        o3 = Descale(t13 + u0, shift); o4 = Descale(t13 - u0, shift);
    }
}
