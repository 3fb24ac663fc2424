using TraceProbe.Common;
using TraceProbe.Neighbours;

namespace TraceProbe.Tests.Neighbours;

public class KnnInfluenceTests
{
    /// <summary>
    /// Item i of class c under processing r: normalise(α·e_c + β·e_(C+r) + tiny item jitter). With β &gt; α
    /// the trace dominates (a same-processing other-class image beats a differently processed same-class one).
    /// </summary>
    internal static (float[] X, int Dim, int[] Labels, bool[] IsQuery) Toy(int classes, int processings, int perClassDb, int perClassQuery, float alpha, float beta)
    {
        var dim = classes + processings + 2;
        var items = classes * (perClassDb + perClassQuery);
        var x = new float[items * processings * dim];
        var labels = new int[items];
        var isQuery = new bool[items];
        var rng = new SeededRandom(99);
        for (var i = 0; i < items; i++)
        {
            var c = i % classes;
            labels[i] = c;
            isQuery[i] = i / classes < perClassQuery;
            float j1 = (float)(rng.NextDouble() - 0.5) * 0.02f, j2 = (float)(rng.NextDouble() - 0.5) * 0.02f;
            for (var r = 0; r < processings; r++)
            {
                var row = x.AsSpan((i * processings + r) * dim, dim);
                row[c] = alpha;
                row[classes + r] = beta;
                row[dim - 2] = j1;
                row[dim - 1] = j2;
                var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot<float>(row, row));
                System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
            }
        }
        return (x, dim, labels, isQuery);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    public void Trace_dominated_embeddings_give_the_known_set_up_accuracies(int k)
    {
        var (x, dim, labels, isQuery) = Toy(classes: 2, processings: 3, perClassDb: 20, perClassQuery: 4, alpha: 0.6f, beta: 0.8f);
        var r = KnnInfluence.Evaluate(x, labels.Length, 3, dim, labels, isQuery, new KnnOptions { K = k });
        Assert.Equal(1.0, r.AllSame.Mean);
        Assert.Equal(1.0, r.PosSame.Mean);
        Assert.Equal(0.0, r.NegSame.Mean);
        Assert.Equal(1.0, r.AllDiff.Mean);
        Assert.Equal(1.0, r.DistractionScore);
        Assert.Equal(8, r.Queries);
        Assert.Equal(40, r.DatabaseItems);
        Assert.Equal(10, r.UniformBySeed.Length);
        Assert.True(double.IsNaN(r.PosSameByPair[0]) && r.PosSameByPair[1] == 1.0);
        Assert.InRange(r.Uniform.Mean, 0.0, 1.0);
    }

    [Fact]
    public void Semantics_dominated_embeddings_are_undistracted()
    {
        var (x, dim, labels, isQuery) = Toy(classes: 3, processings: 2, perClassDb: 5, perClassQuery: 2, alpha: 0.8f, beta: 0.6f);
        var r = KnnInfluence.Evaluate(x, labels.Length, 2, dim, labels, isQuery, new KnnOptions { K = 3 });
        foreach (var s in r.Setups) Assert.Equal(1.0, s.Mean);
        Assert.Equal(0.0, r.Uniform.Std);
        Assert.Equal(0.0, r.DistractionScore);
    }

    /// <summary>The streaming, all-set-ups-at-once evaluation against explicitly built databases.</summary>
    [Fact]
    public void Matches_a_reference_that_builds_every_database_explicitly()
    {
        const int items = 46, P = 3, dim = 12, classes = 4, k = 5;
        var rng = new SeededRandom(21);
        var x = CosineKnnTests.UnitRows(rng, items * P, dim);
        var labels = new int[items];
        var isQuery = new bool[items];
        for (var i = 0; i < items; i++) { labels[i] = rng.Next(classes); isQuery[i] = i % 3 == 0; }
        var options = new KnnOptions { K = k, UniformSeeds = 4, Seed = 77 };
        var got = KnnInfluence.Evaluate(x, items, P, dim, labels, isQuery, options);

        var queries = Enumerable.Range(0, items).Where(i => isQuery[i]).ToArray();
        var db = Enumerable.Range(0, items).Where(i => !isQuery[i]).ToArray();
        double Accuracy(int p, Func<int, int, int> processingOf /* (query class, db position) -> processing */)
        {
            var correct = 0;
            foreach (var qi in queries)
            {
                var q = x.AsSpan((qi * P + p) * dim, dim).ToArray();
                var database = db.SelectMany((item, j) => x.AsSpan((item * P + processingOf(labels[qi], j)) * dim, dim).ToArray()).ToArray();
                var predicted = CosineKnn.Classify(q, database, db.Select(i => labels[i]).ToArray(), dim, new KnnOptions { K = k });
                if (predicted[0] == labels[qi]) correct++;
            }
            return (double)correct / queries.Length;
        }

        double allSame = 0, pos = 0, neg = 0, diff = 0;
        for (var p = 0; p < P; p++)
        {
            allSame += Accuracy(p, (_, _) => p);
            for (var q = 0; q < P; q++)
            {
                if (q == p) continue;
                var posPq = Accuracy(p, (c, j) => labels[db[j]] == c ? p : q);
                Assert.Equal(posPq, got.PosSameByPair[p * P + q], 12);
                pos += posPq;
                neg += Accuracy(p, (c, j) => labels[db[j]] == c ? q : p);
                diff += Accuracy(p, (_, _) => q);
            }
        }
        Assert.Equal(allSame / P, got.AllSame.Mean, 12);
        Assert.Equal(pos / (P * (P - 1)), got.PosSame.Mean, 12);
        Assert.Equal(neg / (P * (P - 1)), got.NegSame.Mean, 12);
        Assert.Equal(diff / (P * (P - 1)), got.AllDiff.Mean, 12);

        var perSeed = new double[options.UniformSeeds];
        var assignment = new int[db.Length];
        for (var t = 0; t < options.UniformSeeds; t++)
        {
            KnnInfluence.UniformAssignment(options.Seed, t, P, assignment);
            for (var p = 0; p < P; p++) perSeed[t] += Accuracy(p, (_, j) => assignment[j]) / P;
            Assert.Equal(perSeed[t], got.UniformBySeed[t], 12);
        }
        var mean = perSeed.Average();
        Assert.Equal(mean, got.Uniform.Mean, 12);
        Assert.Equal(Math.Sqrt(perSeed.Sum(u => (u - mean) * (u - mean)) / perSeed.Length), got.Uniform.Std, 12);
    }

    [Fact]
    public void Results_are_identical_for_any_thread_count()
    {
        const int items = 400, P = 4, dim = 24;
        var rng = new SeededRandom(8);
        var x = CosineKnnTests.UnitRows(rng, items * P, dim);
        var labels = Enumerable.Range(0, items).Select(_ => rng.Next(5)).ToArray();
        var isQuery = Enumerable.Range(0, items).Select(i => i % 2 == 1).ToArray();
        var one = KnnInfluence.Evaluate(x, items, P, dim, labels, isQuery, new KnnOptions { MaxDegreeOfParallelism = 1 });
        var many = KnnInfluence.Evaluate(x, items, P, dim, labels, isQuery, new KnnOptions { MaxDegreeOfParallelism = 3 });
        Assert.Equal(one.Setups, many.Setups);
        Assert.Equal(one.PosSameByPair, many.PosSameByPair);
        Assert.Equal(one.UniformBySeed, many.UniformBySeed);
    }

    [Fact]
    public void Needs_two_processings_and_both_sides()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KnnInfluence.Evaluate(new float[4], 2, 1, 2, [0, 1], [true, false]));
        Assert.Throws<ArgumentException>(() => KnnInfluence.Evaluate(new float[8], 2, 2, 2, [0, 1], [true, true]));
    }
}
