namespace TraceProbe.Processing;

/// <summary>
/// The per-image random scale of the interpolation traces: 1 + U(−0.2, 0.2), where U is the first output of
/// SplitMix64 seeded with the image's seed, top 53 bits as a double in [0, 1). SplitMix64 is chosen because it is
/// a few lines in any language (tools/pillow_reference.py repeats it), so a scale can be cross-checked.
/// </summary>
public static class SeededScale
{
    public const double MaxDeviation = 0.2;

    public static double Draw(ulong seed)
    {
        ulong z = seed + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        double u = (z >> 11) * (1.0 / (1UL << 53));
        return 1.0 + (2.0 * u - 1.0) * MaxDeviation;
    }
}
