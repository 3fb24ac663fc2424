using TraceProbe.Common;

namespace TraceProbe.Statistics;

/// <summary>A two-sided interval [Low, High] at the level it was made for (0.95 for <c>ci95</c>).</summary>
public readonly record struct ConfidenceInterval(double Low, double High)
{
    public bool Contains(double value) => value >= Low && value <= High;
    public double Width => High - Low;
    /// <summary>[low, high], as summary.json writes it.</summary>
    public double[] ToArray() => [Low, High];
}

public sealed record BootstrapOptions
{
    /// <summary>Resamples drawn; 1,000 puts the 2.5% and 97.5% percentiles within about ±0.5 points of their limit.</summary>
    public int Resamples { get; init; } = 1000;
    /// <summary>Coverage of the interval.</summary>
    public double Level { get; init; } = 0.95;
    public ulong Seed { get; init; }
}

/// <summary>
/// Seeded percentile bootstrap that resamples whole clusters (held-out photos) with replacement. The crops and
/// processed copies of one photo are not independent draws (they share its content, camera and exposure), so
/// resampling single rows would understate the spread; resampling photos keeps each photo's rows together.
/// Hand-written: no maintained .NET package offers a cluster bootstrap. Deterministic for a seed: one
/// SplitMix64 stream, resamples drawn in order, no threads.
/// </summary>
public static class ClusterBootstrap
{
    /// <summary>
    /// The percentile interval of <paramref name="statistic"/>, evaluated once per resample on the multiplicity
    /// of each cluster (how many times it was drawn; clusters 0..clusters−1). Resamples where the statistic is
    /// undefined (NaN, e.g. no row of some class drawn) are left out.
    /// </summary>
    public static ConfidenceInterval Percentile(int clusters, Func<int[], double> statistic, BootstrapOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(clusters, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Resamples, 1);
        if (options.Level is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(options), options.Level, "Level must lie in (0, 1).");
        var rng = new SeededRandom(Seeds.Derive(options.Seed, "bootstrap"));
        var counts = new int[clusters];
        var values = new List<double>(options.Resamples);
        for (var r = 0; r < options.Resamples; r++)
        {
            Array.Clear(counts);
            for (var i = 0; i < clusters; i++) counts[rng.Next(clusters)]++;
            var v = statistic(counts);
            if (!double.IsNaN(v)) values.Add(v);
        }
        if (values.Count == 0) return new ConfidenceInterval(double.NaN, double.NaN);
        values.Sort();
        var alpha = 1 - options.Level;
        return new ConfidenceInterval(Quantile(values, alpha / 2), Quantile(values, 1 - alpha / 2));
    }

    /// <summary>
    /// Interval of a mean of per-row scores (1/0 for correct/wrong, or a fraction such as a query's accuracy
    /// over processing pairs): top-1, kNN accuracy, Recall@1. <paramref name="cluster"/> gives each row's
    /// cluster (any non-negative ids).
    /// </summary>
    public static ConfidenceInterval Mean(ReadOnlySpan<double> score, ReadOnlySpan<int> cluster, BootstrapOptions options)
    {
        if (score.Length != cluster.Length) throw new ArgumentException($"{score.Length} scores but {cluster.Length} cluster ids.", nameof(cluster));
        var (ids, n) = Compact(cluster);
        var sums = new double[n];
        var rows = new int[n];
        for (var i = 0; i < score.Length; i++) { sums[ids[i]] += score[i]; rows[ids[i]]++; }
        return Percentile(n, w =>
        {
            double s = 0, m = 0;
            for (var c = 0; c < w.Length; c++) { s += w[c] * sums[c]; m += w[c] * rows[c]; }
            return m == 0 ? double.NaN : s / m;
        }, options);
    }

    /// <summary>Interval of |mean(a) − mean(b)| over paired per-row scores (kNN's distraction score: pos-same against neg-same).</summary>
    public static ConfidenceInterval AbsoluteMeanDifference(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<int> cluster, BootstrapOptions options)
    {
        if (a.Length != b.Length || a.Length != cluster.Length)
            throw new ArgumentException($"{a.Length} and {b.Length} scores and {cluster.Length} cluster ids must match.", nameof(cluster));
        var (ids, n) = Compact(cluster);
        var diff = new double[n];
        var rows = new int[n];
        for (var i = 0; i < a.Length; i++) { diff[ids[i]] += a[i] - b[i]; rows[ids[i]]++; }
        return Percentile(n, w =>
        {
            double s = 0, m = 0;
            for (var c = 0; c < w.Length; c++) { s += w[c] * diff[c]; m += w[c] * rows[c]; }
            return m == 0 ? double.NaN : Math.Abs(s / m);
        }, options);
    }

    /// <summary>Intervals of top-1 and of mean per-class recall from true and predicted labels in [0, classes).</summary>
    public static (ConfidenceInterval Top1, ConfidenceInterval MeanPerClassRecall) Classification(
        ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted, int classes, ReadOnlySpan<int> cluster, BootstrapOptions options)
    {
        if (truth.Length != predicted.Length) throw new ArgumentException($"{truth.Length} labels but {predicted.Length} predictions.", nameof(predicted));
        var correct = new double[truth.Length];
        for (var i = 0; i < truth.Length; i++) correct[i] = truth[i] == predicted[i] ? 1 : 0;
        return Classification(correct, truth, classes, cluster, options);
    }

    /// <summary>
    /// Intervals of top-1 and of mean per-class recall from each row's correctness in [0, 1]: 0/1 for one probe, the
    /// share of seeds that got the row right for several (whose mean top-1 and recall are the same sums).
    /// </summary>
    public static (ConfidenceInterval Top1, ConfidenceInterval MeanPerClassRecall) Classification(
        ReadOnlySpan<double> correct, ReadOnlySpan<int> truth, int classes, ReadOnlySpan<int> cluster, BootstrapOptions options)
    {
        if (truth.Length != correct.Length || truth.Length != cluster.Length)
            throw new ArgumentException($"{truth.Length} labels, {correct.Length} scores and {cluster.Length} cluster ids must match.", nameof(cluster));
        var (ids, n) = Compact(cluster);
        // Per cluster: rows and correct rows of each true class; every resample's statistic is a weighted sum of these.
        var total = new int[n * classes];
        var right = new double[n * classes];
        for (var i = 0; i < truth.Length; i++)
        {
            if ((uint)truth[i] >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(truth), truth[i], $"Row {i}: label outside [0, {classes}).");
            total[ids[i] * classes + truth[i]]++;
            right[ids[i] * classes + truth[i]] += correct[i];
        }
        var top1 = Mean(correct, cluster, options);
        var recall = Percentile(n, w =>
        {
            double sum = 0;
            var present = 0;
            for (var k = 0; k < classes; k++)
            {
                double t = 0, r = 0;
                for (var c = 0; c < w.Length; c++) { t += w[c] * total[c * classes + k]; r += w[c] * right[c * classes + k]; }
                if (t == 0) continue;   // as ProbeResult: classes absent from the rows leave the mean
                sum += r / t;
                present++;
            }
            return present == 0 ? double.NaN : sum / present;
        }, options);
        return (top1, recall);
    }

    /// <summary>Linear interpolation between order statistics (numpy's default), on sorted values.</summary>
    internal static double Quantile(List<double> sorted, double q)
    {
        var h = (sorted.Count - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>Cluster ids renumbered 0..n−1 in order of first appearance.</summary>
    private static (int[] Ids, int Count) Compact(ReadOnlySpan<int> cluster)
    {
        var map = new Dictionary<int, int>();
        var ids = new int[cluster.Length];
        for (var i = 0; i < cluster.Length; i++)
        {
            if (cluster[i] < 0) throw new ArgumentOutOfRangeException(nameof(cluster), cluster[i], $"Row {i}: cluster ids must be non-negative.");
            if (!map.TryGetValue(cluster[i], out var id)) map[cluster[i]] = id = map.Count;
            ids[i] = id;
        }
        if (map.Count == 0) throw new ArgumentException("No rows to resample.", nameof(cluster));
        return (ids, map.Count);
    }
}
