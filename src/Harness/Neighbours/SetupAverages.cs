using TraceProbe.Common;

namespace TraceProbe.Neighbours;

/// <summary>
/// A run's correct-query counts → each set-up's accuracy, averaged as the reference averages it (<see cref="KnnAveraging"/>):
/// over p, over p and q ≠ p, or over p within each seed and then over the seeds; and each query's share of it.
/// </summary>
internal static class SetupAverages
{
    public static KnnInfluenceResult Summarise(long[] correct, SetupCounts counts, int k, int databaseItems)
    {
        var setups = counts.Setups;
        var accuracies = new KnnSetupAccuracy[setups.Count];
        var breakdowns = new double[setups.Count][];
        var byQuery = new double[setups.Count][];
        for (var s = 0; s < setups.Count; s++)
        {
            var (breakdown, mean, std) = Average(correct, counts, s);
            accuracies[s] = new KnnSetupAccuracy(setups[s], mean, std);
            breakdowns[s] = breakdown;
            byQuery[s] = PerQuery(correct, counts, s);
        }
        return new KnnInfluenceResult(k, counts.Queries, databaseItems, counts.Processings, accuracies, breakdowns) { ByQuery = byQuery };
    }

    private static (double[] Breakdown, double Mean, double Std) Average(long[] correct, SetupCounts counts, int setup)
    {
        var P = counts.Processings;
        var nq = counts.Queries;
        double Accuracy(int p, int unit) => (double)correct[counts.Of(p, counts.Slot(setup, unit))] / nq;
        switch (counts.Setups[setup].Averaging)
        {
            case KnnAveraging.OverTestProcessings:
            {
                var byProcessing = new double[P];
                for (var p = 0; p < P; p++) byProcessing[p] = Accuracy(p, 0);
                return (byProcessing, byProcessing.Average(), 0);
            }
            case KnnAveraging.OverPairs:
            {
                var byPair = new double[P * P];
                Array.Fill(byPair, double.NaN);
                for (var p = 0; p < P; p++)
                    for (var q = 0; q < P; q++)
                        if (q != p) byPair[p * P + q] = Accuracy(p, SetupCounts.OtherRank(p, q));
                return (byPair, byPair.Where(v => !double.IsNaN(v)).Average(), 0);
            }
            case KnnAveraging.OverSeeds:
            {
                var seeds = counts.Seeds;
                var bySeed = new double[seeds];
                for (var t = 0; t < seeds; t++)
                {
                    var sum = 0.0;
                    for (var p = 0; p < P; p++) sum += Accuracy(p, t);
                    bySeed[t] = sum / P;
                }
                var mean = bySeed.Average();
                var variance = 0.0;
                foreach (var u in bySeed) variance += (u - mean) * (u - mean);
                return (bySeed, mean, Math.Sqrt(variance / seeds));
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(setup), counts.Setups[setup].Averaging, "Unknown averaging.");
        }
    }

    /// <summary>Each query's correct votes over the votes it had in the set-up (queries in item order).</summary>
    private static double[] PerQuery(long[] correct, SetupCounts counts, int setup)
    {
        var x = new double[counts.Queries];
        var votes = counts.VotesPerQuery(setup);
        for (var i = 0; i < x.Length; i++) x[i] = correct[counts.PerQuery(setup, i)] / votes;
        return x;
    }
}
