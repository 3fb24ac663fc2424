namespace TraceProbe.Images;

/// <summary>
/// One component's quantisation as libjpeg-turbo's encoder and decoder apply it with the ISLOW DCT: the step of each
/// coefficient (<c>jpeg_set_quality(q, TRUE)</c> on the Annex K tables, natural order) and the reciprocal, rounding
/// correction and shift its encoder divides by (<c>compute_reciprocal</c> in jcdctmgr.c, 16-bit DCT elements as in
/// its SIMD builds). Hand-written because no library exposes this step on its own; <see cref="JpegRoundTrip"/>
/// needs it to skip the file.
/// </summary>
internal sealed class JpegQuantisation
{
    // ITU-T T.81 Annex K, tables K.1 and K.2, as libjpeg's jcparam.c holds them.
    private static readonly int[] Luminance =
    [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
        14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ];

    private static readonly int[] Chrominance =
    [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
        24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    ];

    /// <summary>The quantisation step of each coefficient, natural order (the decoder's dequantising multiplier).</summary>
    public int[] Step { get; } = new int[64];

    /// <summary>Unsigned 16-bit reciprocal of 8 × step (the forward DCT's output is scaled by 8).</summary>
    public int[] Reciprocal { get; } = new int[64];

    /// <summary>Added to the coefficient's magnitude before the multiply: half the divisor, plus one where the
    /// reciprocal was rounded down.</summary>
    public int[] Correction { get; } = new int[64];

    /// <summary>Right shift of the 32-bit product.</summary>
    public int[] Shift { get; } = new int[64];

    private JpegQuantisation(int[] basic, int quality)
    {
        var scale = quality < 50 ? 5000 / quality : 200 - quality * 2;
        for (var i = 0; i < 64; i++)
        {
            var step = Math.Clamp((basic[i] * scale + 50) / 100, 1, 255);
            Step[i] = step;
            var divisor = step << 3;
            var b = 31 - int.LeadingZeroCount(divisor);
            var r = 16 + b;
            var fq = (1u << r) / (uint)divisor;
            var fr = (1u << r) % (uint)divisor;
            var c = divisor / 2;
            if (fr == 0) { fq >>= 1; r--; }
            else if (fr <= (uint)(divisor / 2)) c++;
            else fq++;
            Reciprocal[i] = (int)fq;
            Correction[i] = c;
            Shift[i] = r;
        }
    }

    private static readonly Tuple<JpegQuantisation, JpegQuantisation>?[] ByQuality = new Tuple<JpegQuantisation, JpegQuantisation>?[101];

    /// <summary>The luminance (Y) and chrominance (Cb, Cr) quantisation at a quality of 1–100, made once per quality
    /// and shared (the tables are read-only).</summary>
    public static (JpegQuantisation Luma, JpegQuantisation Chroma) For(int quality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        var tables = Volatile.Read(ref ByQuality[quality]);
        if (tables is null)
        {
            var made = Tuple.Create(new JpegQuantisation(Luminance, quality), new JpegQuantisation(Chrominance, quality));
            tables = Interlocked.CompareExchange(ref ByQuality[quality], made, null) ?? made;
        }
        return (tables.Item1, tables.Item2);
    }

    /// <summary>libjpeg-turbo's <c>quantize</c> of one coefficient (the forward DCT's output, scaled by 8).</summary>
    public int Quantise(int i, int coefficient)
    {
        var magnitude = (uint)Math.Abs(coefficient);
        var level = (int)(((magnitude + (uint)Correction[i]) * (uint)Reciprocal[i]) >> Shift[i]);
        return coefficient < 0 ? -level : level;
    }
}
