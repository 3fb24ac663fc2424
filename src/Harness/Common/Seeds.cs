using System.Text;

namespace TraceProbe.Common;

/// <summary>
/// Deterministic seeding: every random stream is derived from the run's seed and a stable key
/// (e.g. a photo's name), so results do not depend on thread count, shard count or order of work.
/// SplitMix64 and FNV-1a are written out because their output must never change between .NET versions.
/// </summary>
public static class Seeds
{
    public static ulong Derive(ulong seed, string key)
    {
        var h = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return Mix(seed ^ h);
    }

    public static ulong Derive(ulong seed, params ReadOnlySpan<ulong> parts)
    {
        var h = Mix(seed);
        foreach (var p in parts) h = Mix(h ^ p);
        return h;
    }

    /// <summary>SplitMix64's increment (2^64 / φ).</summary>
    public const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>SplitMix64's output for state <paramref name="z"/>: the one place its constants are written.</summary>
    public static ulong Mix(ulong z)
    {
        z += Golden;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>A small SplitMix64 generator with a documented, version-independent sequence.</summary>
public sealed class SeededRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextULong()
    {
        var z = Seeds.Mix(_state);
        _state += Seeds.Golden;
        return z;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int Next(int n) => n <= 0 ? throw new ArgumentOutOfRangeException(nameof(n)) : (int)(NextDouble() * n);

    /// <summary>Uniform integer in [min, max).</summary>
    public int Next(int min, int max) => min + Next(max - min);

    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
