using TraceProbe.Experiments;
using TraceProbe.Probes;

namespace TraceProbe.Tests.Probes;

public class PaperProtocolTests
{
    [Fact]
    public void Cosine_schedule_is_stepped_after_each_epoch_as_the_reference_does()
    {
        // The reference sets lr·½(1+cos(π·e/E)) after epoch e: epochs 0 and 1 run at the base rate, epoch 2 at e = 1's value.
        Assert.Equal(10.0, LinearProbe.EpochLearningRate(10, 0, 100));
        Assert.Equal(10.0, LinearProbe.EpochLearningRate(10, 1, 100));
        Assert.Equal(10 * 0.5 * (1 + Math.Cos(Math.PI / 100)), LinearProbe.EpochLearningRate(10, 2, 100), 12);
        Assert.Equal(10 * 0.5 * (1 + Math.Cos(Math.PI * 98 / 100)), LinearProbe.EpochLearningRate(10, 99, 100), 12);
        Assert.True(LinearProbe.EpochLearningRate(10, 99, 100) > 0);
    }

    [Fact]
    public void Std_over_seeds_is_population_std()
    {
        // numpy.std([0.80, 0.82, 0.84, 0.86]) = sqrt(((0.03)² + (0.01)² + (0.01)² + (0.03)²) / 4) = sqrt(0.0005) = 0.022360…
        Assert.Equal(Math.Sqrt(0.0005), ProbeStage.PopulationStd([0.80, 0.82, 0.84, 0.86]), 12);
        Assert.Equal(0.0, ProbeStage.PopulationStd([0.7]));
        // Two values a, b: |a − b| / 2 (not |a − b| / √2 as with n − 1).
        Assert.Equal(0.05, ProbeStage.PopulationStd([0.6, 0.7]), 12);
    }

    [Fact]
    public void Paper_searches_once_then_retrains_every_seed_with_its_hyper_parameters()
    {
        const int dim = 16, classes = 3;
        var (x, y) = ProbeData.Gaussian(240, dim, classes, 1.2, seed: 4);
        var (tx, ty) = ProbeData.Gaussian(90, dim, classes, 1.2, seed: 5);
        var requested = new List<ulong>();
        TraceProbe.Experiments.ProbeData TrainFor(ulong seed)
        {
            requested.Add(seed);
            // Each seed's data differ (as a fresh class draw would): a seed-dependent row order and subset.
            var rows = Enumerable.Range(0, 240).Where(i => (i + (int)seed) % 7 != 0).ToArray();
            return new TraceProbe.Experiments.ProbeData(rows.SelectMany(i => x.AsSpan(i * dim, dim).ToArray()).ToArray(), rows.Select(i => y[i]).ToArray());
        }

        var options = new ProbeOptions { Protocol = ProbeProtocol.Paper, Trials = 4, StartupTrials = 2, Epochs = 8, BatchSize = 64 };
        ulong[] seeds = [0, 1, 2];
        var outcome = ProbeStage.Run(TrainFor, new TraceProbe.Experiments.ProbeData(tx, ty), dim, classes, options, seeds, searchSeed: 22);

        // The search's data first (seed 22), then one training set per seed.
        Assert.Equal([22UL, 0, 1, 2], requested);
        Assert.NotNull(outcome.Search);
        Assert.Equal(4, outcome.Search!.Trials.Count);
        Assert.Equal(outcome.Search.LearningRate, outcome.FirstModel.LearningRate);
        Assert.Equal(outcome.Search.WeightDecay, outcome.FirstModel.WeightDecay);

        // Each seed's top-1 is what a plain fit with the chosen hyper-parameters gives; mean and ddof-0 std of those.
        var expected = seeds.Select(s =>
        {
            var d = TrainFor(s);
            var m = LinearProbe.Fit(d.X, d.Y, dim, classes, options with { Seed = s, LearningRate = outcome.Search.LearningRate, WeightDecay = outcome.Search.WeightDecay });
            return LinearProbe.Evaluate(m, tx, ty).Top1;
        }).ToArray();
        Assert.Equal(expected, outcome.Top1PerSeed);
        Assert.Equal(expected.Average(), outcome.Top1, 12);
        var mean = expected.Average();
        Assert.Equal(Math.Sqrt(expected.Sum(v => (v - mean) * (v - mean)) / 3), outcome.Top1Std, 12);
    }

    [Fact]
    public void Paper_search_runs_thirty_trials_by_default()
    {
        const int dim = 8, classes = 2;
        var (x, y) = ProbeData.Gaussian(60, dim, classes, 2.0, seed: 2);
        var search = LinearProbe.Search(x, y, dim, classes, new ProbeOptions { Protocol = ProbeProtocol.Paper, Epochs = 2, Seed = 22 });
        Assert.Equal(30, search.Trials.Count);
        Assert.All(search.Trials, t => { Assert.InRange(t.LearningRate, 0.1, 100); Assert.InRange(t.WeightDecay, 1e-12, 1e-4); });
        // The chosen point is the first trial with the best validation top-1.
        var best = search.Trials.Where(t => !double.IsNaN(t.ValidationTop1)).MaxBy(t => t.ValidationTop1)!;
        Assert.Equal(best.LearningRate, search.LearningRate);
        Assert.Equal(best.ValidationTop1, search.ValidationTop1);
    }
}
