using TraceProbe.Common;
using TraceProbe.Statistics;

namespace TraceProbe.Tests.Statistics;

public sealed class ClusterBootstrapTests
{
    /// <summary>
    /// Clustered 0/1 outcomes whose population rate is exactly <paramref name="rate"/>: each cluster (a photo) has
    /// its own rate, rate ± U(−spread, spread), and its rows (crops) are Bernoulli draws at that rate.
    /// </summary>
    private static (double[] Score, int[] Cluster) Clustered(ulong seed, int clusters, int rows, double rate, double spread)
    {
        var rng = new SeededRandom(seed);
        var score = new double[clusters * rows];
        var cluster = new int[clusters * rows];
        for (var c = 0; c < clusters; c++)
        {
            var p = rate + (2 * rng.NextDouble() - 1) * spread;
            for (var r = 0; r < rows; r++)
            {
                score[c * rows + r] = rng.NextDouble() < p ? 1 : 0;
                cluster[c * rows + r] = c;
            }
        }
        return (score, cluster);
    }

    [Fact]
    public void The_95_percent_interval_covers_the_true_rate_in_about_95_percent_of_repetitions()
    {
        // 50 photos × 20 crops with strong photo effects (intra-class correlation ≈ 0.1, design effect ≈ 3).
        const double rate = 0.3;
        const int repetitions = 300;
        var covered = 0;
        for (var rep = 0; rep < repetitions; rep++)
        {
            var (score, cluster) = Clustered(Seeds.Derive(7, (ulong)rep), 50, 20, rate, 0.25);
            if (ClusterBootstrap.Mean(score, cluster, new BootstrapOptions { Seed = (ulong)rep }).Contains(rate)) covered++;
        }
        var coverage = (double)covered / repetitions;
        // Binomial sd of the coverage over 300 repetitions is 0.0126; the percentile bootstrap runs slightly low
        // with 50 clusters. The bounds are ±4 sd of 0.945.
        Assert.InRange(coverage, 0.895, 0.995);
    }

    [Fact]
    public void Resampling_rows_instead_of_photos_undercovers_the_same_clustered_data()
    {
        // The control for the coverage test: ignoring the photos (each row its own cluster) must fail it, so
        // that the coverage test measures the clustering and cannot pass with any narrow-enough interval.
        const double rate = 0.3;
        const int repetitions = 200;
        var covered = 0;
        for (var rep = 0; rep < repetitions; rep++)
        {
            var (score, _) = Clustered(Seeds.Derive(7, (ulong)rep), 50, 20, rate, 0.25);
            var rows = Enumerable.Range(0, score.Length).ToArray();
            if (ClusterBootstrap.Mean(score, rows, new BootstrapOptions { Seed = (ulong)rep }).Contains(rate)) covered++;
        }
        Assert.InRange((double)covered / repetitions, 0.5, 0.85);
    }

    [Fact]
    public void Clustered_rows_give_a_wider_interval_than_the_same_rows_drawn_independently()
    {
        // 40 photos × 10 crops; half the photos are right on every crop, half wrong on every crop.
        var score = Enumerable.Range(0, 400).Select(i => (i / 10) % 2 == 0 ? 1.0 : 0.0).ToArray();
        var byPhoto = Enumerable.Range(0, 400).Select(i => i / 10).ToArray();
        var byRow = Enumerable.Range(0, 400).ToArray();
        var clustered = ClusterBootstrap.Mean(score, byPhoto, new BootstrapOptions { Seed = 1 });
        var independent = ClusterBootstrap.Mean(score, byRow, new BootstrapOptions { Seed = 1 });
        Assert.True(clustered.Contains(0.5) && independent.Contains(0.5));
        // Design effect 10: the clustered interval is about √10 ≈ 3.2 times wider.
        Assert.InRange(clustered.Width / independent.Width, 2.5, 4.0);
    }

    [Fact]
    public void The_same_seed_gives_the_same_interval_and_another_seed_another()
    {
        var (score, cluster) = Clustered(3, 30, 8, 0.6, 0.2);
        var a = ClusterBootstrap.Mean(score, cluster, new BootstrapOptions { Seed = 11 });
        var b = ClusterBootstrap.Mean(score, cluster, new BootstrapOptions { Seed = 11 });
        var c = ClusterBootstrap.Mean(score, cluster, new BootstrapOptions { Seed = 12 });
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Classification_intervals_bracket_the_point_estimates()
    {
        var rng = new SeededRandom(5);
        const int classes = 4;
        var truth = new int[600];
        var predicted = new int[600];
        var cluster = new int[600];
        for (var i = 0; i < truth.Length; i++)
        {
            truth[i] = i % classes;
            // Class 0 is easy, the others near chance: recall differs from top-1.
            predicted[i] = truth[i] == 0 || rng.NextDouble() < 0.3 ? truth[i] : rng.Next(classes);
            cluster[i] = i / 24;
        }
        var point = TraceProbe.Probes.ProbeResult.FromPredictions(truth, predicted, classes);
        var (top1, recall) = ClusterBootstrap.Classification(truth, predicted, classes, cluster, new BootstrapOptions { Seed = 2 });
        Assert.True(top1.Contains(point.Top1), $"{top1} vs {point.Top1}");
        Assert.True(recall.Contains(point.MeanPerClassRecall), $"{recall} vs {point.MeanPerClassRecall}");
        Assert.InRange(top1.Width, 0.01, 0.2);
    }

    [Fact]
    public void Quantiles_interpolate_as_numpy_does()
    {
        List<double> sorted = [1, 2, 3, 4];
        Assert.Equal(1.75, ClusterBootstrap.Quantile(sorted, 0.25), 12);
        Assert.Equal(4, ClusterBootstrap.Quantile(sorted, 1), 12);
        Assert.Equal(1, ClusterBootstrap.Quantile(sorted, 0), 12);
    }

    [Fact]
    public void Mismatched_inputs_are_refused_with_the_reason()
    {
        var e = Assert.Throws<ArgumentException>(() => ClusterBootstrap.Mean([1.0, 0.0], [0], new BootstrapOptions()));
        Assert.Contains("2 scores but 1 cluster ids", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClusterBootstrap.Mean([1.0], [-1], new BootstrapOptions()));
    }
}
