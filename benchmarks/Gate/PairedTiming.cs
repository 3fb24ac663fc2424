using System.Diagnostics;

namespace TraceProbe.Benchmarks.Gate;

/// <summary>
/// Our operation and its peer timed in alternating rounds (ours then peer, then peer then ours, ...), so that
/// both sides of a ratio see the same load: on shared cores another process's burst slows one round of both,
/// where timing all of one side and then all of the other (as BenchmarkDotNet orders its cases) put a burst
/// wholly on one side and moved a ratio by 2× between runs. The ratio is the median of the rounds' ratios.
/// </summary>
public sealed record PairedTiming(IReadOnlyList<double> Ours, IReadOnlyList<double> Peer)
{
    /// <summary>Peer seconds ÷ our seconds, median over rounds (higher is better for us).</summary>
    public double Ratio => Median(Ours.Zip(Peer, (o, p) => p / o));

    public double OursFastest => Ours.Min();
    public double PeerFastest => Peer.Min();

    /// <summary>
    /// <paramref name="warmups"/> untimed rounds (more while they have taken less than <paramref name="warmupSeconds"/>:
    /// the JIT's tiered recompilation of hot methods lands a few rounds in, and a first timed round without it ran
    /// the pipeline 10% slower), then at least <paramref name="minRounds"/> timed ones, more
    /// while the timed rounds have taken less than <paramref name="minSeconds"/> (short operations get more
    /// rounds, whose median is steadier), at most <paramref name="maxRounds"/>.
    /// </summary>
    public static PairedTiming Run(Func<object> ours, Func<object> peer, int warmups, int minRounds, double minSeconds, int maxRounds,
        double warmupSeconds = 0)
    {
        var warming = Stopwatch.StartNew();
        while (warmups-- > 0 || warming.Elapsed.TotalSeconds < warmupSeconds) { GC.KeepAlive(ours()); GC.KeepAlive(peer()); }
        var o = new List<double>();
        var p = new List<double>();
        var clock = Stopwatch.StartNew();
        while (o.Count < maxRounds && (o.Count < minRounds || clock.Elapsed.TotalSeconds < minSeconds))
        {
            if (o.Count % 2 == 0) { o.Add(Time(ours)); p.Add(Time(peer)); }
            else { p.Add(Time(peer)); o.Add(Time(ours)); }
        }
        return new PairedTiming(o, p);
    }

    private static double Time(Func<object> operation)
    {
        var clock = Stopwatch.StartNew();
        var result = operation();
        var seconds = clock.Elapsed.TotalSeconds;
        GC.KeepAlive(result);
        return seconds;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
