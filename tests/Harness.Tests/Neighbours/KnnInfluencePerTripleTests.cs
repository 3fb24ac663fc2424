using TraceProbe.Common;
using TraceProbe.Neighbours;

namespace TraceProbe.Tests.Neighbours;

/// <summary>
/// The one-pass-per-pair evaluation against the reference's definition, one full kNN per (test, positives,
/// negatives) triple: for a query of class c under processing p, database item j is taken under `positives`
/// when its class is c and under `negatives` otherwise (uniform: under the seed's processing of j); the k most
/// similar items (ties: smaller index) vote.
/// </summary>
public class KnnInfluencePerTripleTests
{
    /// <summary>
    /// Set-up accuracies by brute force per triple, written independently of the library: double dot products
    /// (exact here, the data being small integers / 4, so ties are exact), a full sort, its own vote.
    /// </summary>
    private static KnnInfluenceResult PerTriple(float[] x, int items, int P, int dim, int[] labels, bool[] isQuery, KnnOptions o)
    {
        var queries = Enumerable.Range(0, items).Where(i => isQuery[i]).ToArray();
        var db = Enumerable.Range(0, items).Where(i => !isQuery[i]).ToArray();
        var k = Math.Min(o.K, db.Length);
        double Dot(int a, int pa, int b, int pb)
        {
            var s = 0.0;
            for (var t = 0; t < dim; t++) s += (double)x[(a * P + pa) * dim + t] * x[(b * P + pb) * dim + t];
            return s;
        }
        int Vote(int[] nn, double[] sims)
        {
            var best = -1; var bestCount = 0; var bestSum = double.NegativeInfinity;
            foreach (var c in nn.Select(j => labels[db[j]]).Distinct().Order())
            {
                var count = nn.Count(j => labels[db[j]] == c);
                var sum = 0.0;
                for (var a = 0; a < nn.Length; a++) if (labels[db[nn[a]]] == c) sum += (float)sims[a];
                var better = count > bestCount || (count == bestCount && o.VoteTieBreak == KnnVoteTieBreak.SummedSimilarity && sum > bestSum);
                if (better) { best = c; bestCount = count; bestSum = sum; }
            }
            return best;
        }
        double Accuracy(int p, Func<int, int, int> processingOf /* (query class, db position) -> processing */)
        {
            var correct = 0;
            foreach (var qi in queries)
            {
                var sims = db.Select((item, j) => Dot(qi, p, item, processingOf(labels[qi], j))).ToArray();
                var nn = Enumerable.Range(0, db.Length).OrderByDescending(j => sims[j]).ThenBy(j => j).Take(k).ToArray();
                if (Vote(nn, nn.Select(j => sims[j]).ToArray()) == labels[qi]) correct++;
            }
            return (double)correct / queries.Length;
        }
        int Triple(int p, int pos, int neg, int c, int j) => labels[db[j]] == c ? pos : neg;

        var allSame = new double[P];
        var posBy = Nan(P * P); var negBy = Nan(P * P); var diffBy = Nan(P * P);
        for (var p = 0; p < P; p++)
        {
            allSame[p] = Accuracy(p, (c, j) => Triple(p, p, p, c, j));
            for (var q = 0; q < P; q++)
            {
                if (q == p) continue;
                posBy[p * P + q] = Accuracy(p, (c, j) => Triple(p, p, q, c, j));
                negBy[p * P + q] = Accuracy(p, (c, j) => Triple(p, q, p, c, j));
                diffBy[p * P + q] = Accuracy(p, (c, j) => Triple(p, q, q, c, j));
            }
        }
        var uniform = new double[o.UniformSeeds];
        var assignment = new int[db.Length];
        for (var t = 0; t < o.UniformSeeds; t++)
        {
            KnnInfluence.UniformAssignment(o.Seed, t, P, assignment);
            for (var p = 0; p < P; p++) uniform[t] += Accuracy(p, (_, j) => assignment[j]) / P;
        }
        static double Mean(double[] a) => a.Where(v => !double.IsNaN(v)).Average();
        var um = uniform.Average();
        return new KnnInfluenceResult(k, queries.Length, db.Length, P,
            [
                new(KnnSetup.AllSame, allSame.Average(), 0), new(KnnSetup.PosSame, Mean(posBy), 0), new(KnnSetup.NegSame, Mean(negBy), 0),
                new(KnnSetup.AllDiff, Mean(diffBy), 0), new(KnnSetup.Uniform, um, Math.Sqrt(uniform.Sum(u => (u - um) * (u - um)) / uniform.Length)),
            ],
            [allSame, posBy, negBy, diffBy, uniform]);
    }

    private static double[] Nan(int n) { var a = new double[n]; Array.Fill(a, double.NaN); return a; }

    private static void AssertSame(KnnInfluenceResult want, KnnInfluenceResult got)
    {
        Assert.Equal(want.AllSameByProcessing, got.AllSameByProcessing);
        Assert.Equal(want.PosSameByPair, got.PosSameByPair);
        Assert.Equal(want.NegSameByPair, got.NegSameByPair);
        Assert.Equal(want.AllDiffByPair, got.AllDiffByPair);
        Assert.Equal(want.UniformBySeed, got.UniformBySeed);
        foreach (var (w, g) in want.Setups.Zip(got.Setups))
        {
            Assert.Equal(w.Mean, g.Mean, 12);
            Assert.Equal(w.Std, g.Std, 12);
        }
        Assert.Equal(want.DistractionScore, got.DistractionScore, 12);
    }

    /// <summary>
    /// Values in {−1/4, 0, 1/4} over few dimensions: similarities take a handful of values, so most neighbours
    /// tie on similarity and many votes tie on count (and on summed similarity).
    /// </summary>
    [Theory]
    [InlineData(KnnVoteTieBreak.SummedSimilarity, 10, 4)]
    [InlineData(KnnVoteTieBreak.SmallestClass, 10, 4)]
    [InlineData(KnnVoteTieBreak.SummedSimilarity, 1, 3)]
    [InlineData(KnnVoteTieBreak.SmallestClass, 4, 5)]
    public void Every_set_up_equals_the_per_triple_brute_force_on_data_full_of_ties(KnnVoteTieBreak tieBreak, int k, int dim)
    {
        const int items = 150, P = 4, classes = 5;
        var rng = new SeededRandom((ulong)(k * 31 + dim));
        var x = CosineKnnTests.IntegerRows(rng, items * P, dim, range: 1);
        var labels = Enumerable.Range(0, items).Select(_ => rng.Next(classes)).ToArray();
        var isQuery = Enumerable.Range(0, items).Select(i => i % 4 == 0).ToArray();
        var options = new KnnOptions { K = k, UniformSeeds = 5, Seed = 3, VoteTieBreak = tieBreak, QueryRowsInMemory = 16 };
        var got = KnnInfluence.Evaluate(x, items, P, dim, labels, isQuery, options);
        AssertSame(PerTriple(x, items, P, dim, labels, isQuery, options), got);
        Assert.InRange(got.DistractionScore, 0, 1);
    }

    /// <summary>
    /// The check at a CI-sized scale with 6 processings: more database items than one packed block
    /// (4,096), several query blocks, unit vectors. Similarities come from the library's kernel on both
    /// sides here (so they are bit-identical); what differs is everything after it.
    /// </summary>
    [Fact]
    public void Six_processings_with_several_database_and_query_blocks_equal_the_per_triple_runs()
    {
        const int nq = 60, nd = 4_500, P = 6, dim = 24, classes = 7;
        var rng = new SeededRandom(16);
        var items = nq + nd;
        var x = CosineKnnTests.UnitRows(rng, items * P, dim);
        var labels = Enumerable.Range(0, items).Select(_ => rng.Next(classes)).ToArray();
        var isQuery = Enumerable.Range(0, items).Select(i => i < nq).ToArray();
        var options = new KnnOptions { K = 10, UniformSeeds = 10, Seed = 5, QueryRowsInMemory = 25 };
        var got = KnnInfluence.Evaluate(x, items, P, dim, labels, isQuery, options);

        var dbLabels = labels[nq..];
        var assignment = new int[nd];
        double Accuracy(int p, Func<int, int, int> processingOf)
        {
            var correct = 0;
            for (var qi = 0; qi < nq; qi++)
            {
                var database = new float[nd * dim];
                for (var j = 0; j < nd; j++)
                    x.AsSpan(((nq + j) * P + processingOf(labels[qi], j)) * dim, dim).CopyTo(database.AsSpan(j * dim));
                if (CosineKnn.Classify(x.AsSpan((qi * P + p) * dim, dim), database, dbLabels, dim, options)[0] == labels[qi]) correct++;
            }
            return (double)correct / nq;
        }
        for (var p = 0; p < P; p++)
        {
            Assert.Equal(Accuracy(p, (_, _) => p), got.AllSameByProcessing[p]);
            var q = (p + 1) % P; // one q per p keeps the test short; the tie test covers every pair
            Assert.Equal(Accuracy(p, (c, j) => dbLabels[j] == c ? p : q), got.PosSameByPair[p * P + q]);
            Assert.Equal(Accuracy(p, (c, j) => dbLabels[j] == c ? q : p), got.NegSameByPair[p * P + q]);
            Assert.Equal(Accuracy(p, (_, _) => q), got.AllDiffByPair[p * P + q]);
        }
        KnnInfluence.UniformAssignment(options.Seed, 7, P, assignment);
        var seven = Enumerable.Range(0, P).Sum(p => Accuracy(p, (_, j) => assignment[j])) / P;
        Assert.Equal(seven, got.UniformBySeed[7], 12);
    }

    [Fact]
    public void Query_blocking_and_threads_do_not_change_anything()
    {
        const int items = 300, P = 3, dim = 8;
        var rng = new SeededRandom(4);
        var x = CosineKnnTests.IntegerRows(rng, items * P, dim, range: 2);
        var labels = Enumerable.Range(0, items).Select(_ => rng.Next(4)).ToArray();
        var isQuery = Enumerable.Range(0, items).Select(i => i % 3 == 0).ToArray();
        var reference = KnnInfluence.Evaluate(x, items, P, dim, labels, isQuery, new KnnOptions { Seed = 9, MaxDegreeOfParallelism = 1 });
        foreach (var (rows, threads) in new[] { (1, 2), (7, -1), (100, 3), (1 << 20, 2) })
            AssertSame(reference, KnnInfluence.Evaluate(x, items, P, dim, labels, isQuery,
                new KnnOptions { Seed = 9, QueryRowsInMemory = rows, MaxDegreeOfParallelism = threads }));
    }
}
