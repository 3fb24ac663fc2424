using TraceProbe.Common;

namespace TraceProbe.Probes;

/// <summary>
/// xoshiro256** seeded through SplitMix64: a fixed, documented generator, so that probes reproduce across
/// .NET versions and platforms (System.Random gives no such promise).
/// </summary>
internal struct ProbeRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public ProbeRandom(ulong seed, ulong stream = 0)
    {
        var z = seed ^ (stream * 0xD1B54A32D192ED03UL);
        _s0 = SplitMix(ref z);
        _s1 = SplitMix(ref z);
        _s2 = SplitMix(ref z);
        _s3 = SplitMix(ref z);
    }

    private static ulong SplitMix(ref ulong z)
    {
        var r = Seeds.Mix(z);
        z += Seeds.Golden;
        return r;
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n) without modulo bias (Lemire's method).</summary>
    public int NextInt(int n)
    {
        var range = (ulong)n;
        var m = (UInt128)NextUInt64() * range;
        if ((ulong)m < range)
        {
            var threshold = (0UL - range) % range;
            while ((ulong)m < threshold)
                m = (UInt128)NextUInt64() * range;
        }

        return (int)(ulong)(m >> 64);
    }

    /// <summary>Log-uniform in [min, max].</summary>
    public double NextLogUniform(double min, double max) => Math.Exp(Math.Log(min) + NextDouble() * (Math.Log(max) - Math.Log(min)));

    public void Shuffle(Span<int> values)
    {
        for (var i = values.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
