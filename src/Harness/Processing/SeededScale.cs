using TraceProbe.Common;

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
        var u = new SeededRandom(seed).NextDouble();
        return 1.0 + (2.0 * u - 1.0) * MaxDeviation;
    }
}
