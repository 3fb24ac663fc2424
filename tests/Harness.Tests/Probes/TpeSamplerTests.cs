using TraceProbe.Probes;
using Xunit.Abstractions;

namespace TraceProbe.Tests.Probes;

public class TpeSamplerTests(ITestOutputHelper output)
{
    private static readonly SearchParameter[] PaperSpace =
    [
        new("lr", 0.1, 100),
        new("wd", 1e-12, 1e-4),
    ];

    /// <summary>A smooth bump in log space with its peak at lr = 3, wd = 1e-9 (value 1 there).</summary>
    private static double Bump(double[] p) =>
        Math.Exp(-Math.Pow(Math.Log10(p[0] / 3), 2) - Math.Pow(Math.Log10(p[1] / 1e-9) / 2, 2));

    private static List<double[]> Run(ulong seed, int trials, Func<double[], double> objective, TpeOptions? options = null)
    {
        var sampler = new TpeSampler(PaperSpace, seed, options);
        var points = new List<double[]>();
        for (var t = 0; t < trials; t++)
        {
            var p = sampler.Ask();
            points.Add(p);
            sampler.Tell(p, objective(p));
        }
        return points;
    }

    [Fact]
    public void Trials_after_the_startup_concentrate_near_the_optimum()
    {
        // Over several seeds, compare the 10 random start-up trials with the 20 TPE trials that follow them.
        double randomNear = 0, tpeNear = 0, randomBest = 0, tpeBest = 0;
        const int seeds = 8;
        for (ulong seed = 0; seed < seeds; seed++)
        {
            var points = Run(seed, 30, Bump);
            var startup = points.Take(10).Select(Bump).ToArray();
            var guided = points.Skip(10).Select(Bump).ToArray();
            randomNear += startup.Count(v => v > 0.5) / 10.0;
            tpeNear += guided.Count(v => v > 0.5) / 20.0;
            randomBest += startup.Max();
            tpeBest += guided.Max();
        }

        output.WriteLine($"share of trials with value > 0.5: random start-up {randomNear / seeds:0.000}, TPE {tpeNear / seeds:0.000}; " +
                         $"mean best: random {randomBest / seeds:0.000}, TPE {tpeBest / seeds:0.000} ({seeds} seeds)");
        // Uniform draws land in the bump's upper half about 7% of the time; TPE's must do so several times as often.
        Assert.True(tpeNear / seeds > 3 * (randomNear / seeds) && tpeNear / seeds > 0.3,
            $"share near the optimum: random {randomNear / seeds:0.00}, TPE {tpeNear / seeds:0.00}");
        Assert.True(tpeBest > randomBest, $"mean best value: random {randomBest / seeds:0.000}, TPE {tpeBest / seeds:0.000}");
    }

    [Fact]
    public void Same_seed_same_points_other_seed_other_points()
    {
        var a = Run(22, 15, Bump);
        var b = Run(22, 15, Bump);
        var c = Run(23, 15, Bump);
        Assert.Equal(a.SelectMany(p => p), b.SelectMany(p => p));
        Assert.NotEqual(a.SelectMany(p => p), c.SelectMany(p => p));
    }

    [Fact]
    public void Points_stay_inside_the_ranges()
    {
        foreach (var p in Run(5, 40, p => -Math.Log(p[0]) - Math.Log(p[1])))
        {
            Assert.InRange(p[0], 0.1, 100);
            Assert.InRange(p[1], 1e-12, 1e-4);
        }
    }

    [Fact]
    public void Failed_trials_do_not_count_toward_the_startup()
    {
        // Every other trial fails: the first 20 asks are still random (10 completed), so the 21st is the first TPE one.
        var sampler = new TpeSampler(PaperSpace, 1);
        for (var t = 0; t < 20; t++)
        {
            var p = sampler.Ask();
            sampler.Tell(p, t % 2 == 0 ? Bump(p) : null);
        }
        Assert.Equal(10, sampler.Completed);
    }

    [Fact]
    public void The_startup_is_log_uniform()
    {
        // 2000 random trials (no TPE): log10(lr) must be uniform on [-1, 2], so its mean is 0.5 and a third fall below 0.
        var points = Run(3, 2000, _ => 0.0, new TpeOptions { StartupTrials = 10_000 });
        var logs = points.Select(p => Math.Log10(p[0])).ToArray();
        Assert.InRange(logs.Average(), 0.45, 0.55);
        Assert.InRange(logs.Count(v => v < 0) / 2000.0, 0.30, 0.37);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 1)]
    [InlineData(11, 2)]
    [InlineData(29, 3)]
    [InlineData(300, 25)]
    public void Gamma_is_optunas_default(int n, int expected) => Assert.Equal(expected, TpeSampler.Gamma(n));

    [Fact]
    public void Weights_are_optunas_default()
    {
        Assert.Equal(Enumerable.Repeat(1.0, 24), TpeSampler.Weights(24));
        // n = 28: numpy.linspace(1/28, 1, 3) = [1/28, 0.5178…, 1], then 25 ones.
        var w = TpeSampler.Weights(28);
        Assert.Equal(28, w.Length);
        Assert.Equal(1.0 / 28, w[0], 12);
        Assert.Equal((1.0 / 28 + 1) / 2, w[1], 12);
        Assert.Equal(1.0, w[2], 12);
        Assert.All(w.Skip(3), v => Assert.Equal(1.0, v));
    }
}

public class TruncatedNormalTests
{
    [Theory]
    [InlineData(-1.0, 2.0)]
    [InlineData(-30.0, -2.0)]
    [InlineData(3.0, 25.0)]
    [InlineData(-0.5, 0.5)]
    public void Quantile_inverts_the_truncated_cdf(double a, double b)
    {
        var mass = Math.Exp(TruncatedNormal.LogMass(a, b));
        foreach (var q in new[] { 1e-6, 0.1, 0.5, 0.9, 1 - 1e-6 })
        {
            var x = TruncatedNormal.Quantile(q, a, b);
            Assert.InRange(x, a, b);
            // The truncated CDF at x, computed on the side where Φ keeps its precision.
            var cdf = a >= 0
                ? 1 - (TruncatedNormal.Cdf(-x) - TruncatedNormal.Cdf(-b)) / mass
                : (TruncatedNormal.Cdf(x) - TruncatedNormal.Cdf(a)) / mass;
            Assert.Equal(q, cdf, 6);
        }
    }

    [Fact]
    public void Density_integrates_to_one()
    {
        const double a = -0.7, b = 2.9;
        var steps = 20000;
        double h = (b - a) / steps, sum = 0;
        for (var i = 0; i < steps; i++)
            sum += Math.Exp(TruncatedNormal.LogPdf(a + (i + 0.5) * h, a, b)) * h;
        Assert.Equal(1.0, sum, 6);
        Assert.Equal(double.NegativeInfinity, TruncatedNormal.LogPdf(3.0, a, b));
    }

    [Fact]
    public void Log_mass_matches_known_values()
    {
        // Φ(1) − Φ(−1) = 0.682689492137…; Φ(−3) = 0.001349898031630…
        Assert.Equal(Math.Log(0.6826894921370859), TruncatedNormal.LogMass(-1, 1), 12);
        Assert.Equal(Math.Log(0.0013498980316301), TruncatedNormal.LogMass(3, double.PositiveInfinity), 10);
        Assert.Equal(Math.Log(0.0013498980316301), TruncatedNormal.LogMass(double.NegativeInfinity, -3), 10);
    }
}

public class ParzenEstimatorTests
{
    private static readonly SearchParameter[] Space = [new("lr", 0.1, 100), new("wd", 1e-12, 1e-4)];

    private static double[][] Observations(int n) =>
        Enumerable.Range(0, n).Select(i => new[] { Math.Log(0.1) + 6.9 * (i + 0.5) / n, Math.Log(1e-12) + 18.4 * (n - i - 0.5) / n }).ToArray();

    [Fact]
    public void Bandwidth_is_Optuna_4s_multivariate_rule_with_the_magic_clip()
    {
        double lrRange = Math.Log(1000), wdRange = Math.Log(1e8);
        // n = 10, d = 2: 0.2 · 10^(−1/6) · range = 0.136 · range, above the clip range / min(100, 12).
        var ten = new ParzenEstimator(Observations(10), Space, 1.0);
        Assert.Equal(11, ten.Kernels);
        Assert.Equal(0.2 * Math.Pow(10, -1.0 / 6) * lrRange, ten.Sigma(0, 0), 12);
        Assert.Equal(0.2 * Math.Pow(10, -1.0 / 6) * wdRange, ten.Sigma(3, 1), 12);
        // The prior kernel spans the range.
        Assert.Equal(lrRange, ten.Sigma(10, 0), 12);
        // n = 1: 0.2 · range is below the clip range / 3.
        var one = new ParzenEstimator(Observations(1), Space, 1.0);
        Assert.Equal(lrRange / 3, one.Sigma(0, 0), 12);
    }

    [Fact]
    public void The_mixture_density_integrates_to_one_over_the_box()
    {
        var estimator = new ParzenEstimator(Observations(7), Space, 1.0);
        double lo0 = Math.Log(0.1), hi0 = Math.Log(100), lo1 = Math.Log(1e-12), hi1 = Math.Log(1e-4);
        const int steps = 300;
        double h0 = (hi0 - lo0) / steps, h1 = (hi1 - lo1) / steps, sum = 0;
        for (var i = 0; i < steps; i++)
            for (var j = 0; j < steps; j++)
                sum += Math.Exp(estimator.LogPdf([lo0 + (i + 0.5) * h0, lo1 + (j + 0.5) * h1])) * h0 * h1;
        Assert.Equal(1.0, sum, 3);
    }
}
