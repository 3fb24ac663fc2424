using TraceProbe.Common;
using TraceProbe.Neighbours;

namespace TraceProbe.Tests.Neighbours;

/// <summary>The per-query and per-pair scores the intervals resample: their means are the reported values.</summary>
public sealed class PerQueryScoreTests
{
    [Fact]
    public void Each_set_ups_per_query_scores_average_to_its_accuracy()
    {
        const int items = 60, P = 4, dim = 10, classes = 3;
        var rng = new SeededRandom(5);
        var x = CosineKnnTests.UnitRows(rng, items * P, dim);
        var labels = new int[items];
        var isQuery = new bool[items];
        for (var i = 0; i < items; i++) { labels[i] = rng.Next(classes); isQuery[i] = i % 3 == 0; }
        var r = KnnInfluence.Evaluate(x, items, P, dim, labels, isQuery, new KnnOptions { K = 3, UniformSeeds = 3, Seed = 2 });
        Assert.Equal(5, r.ByQuery.Count);
        for (var s = 0; s < 5; s++)
        {
            Assert.Equal(r.Queries, r.ByQuery[s].Length);
            Assert.Equal(r.Setups[s].Mean, r.ByQuery[s].Average(), 12);
            Assert.All(r.ByQuery[s], v => Assert.InRange(v, 0, 1));
        }
        // Not all alike: the scores vary from query to query (random data, about 1/3 right).
        Assert.True(r.ByQuery[0].Distinct().Count() > 2);
    }

    [Fact]
    public void Each_pairs_hits_average_to_recall_at_1()
    {
        var rng = new SeededRandom(8);
        const int n = 40, dim = 16;
        var phone = CosineKnnTests.UnitRows(rng, n, dim);
        var camera = new float[n * dim];
        // The camera copy is the phone photo plus noise: most pairs are found, some not.
        for (var i = 0; i < camera.Length; i++) camera[i] = phone[i] + (float)(rng.NextDouble() - 0.5) * 0.6f;
        for (var i = 0; i < n; i++)
        {
            var row = camera.AsSpan(i * dim, dim);
            System.Numerics.Tensors.TensorPrimitives.Divide(row, MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot<float>(row, row)), row);
        }
        var r = NearDuplicateRetrieval.Evaluate(phone, camera, dim);
        Assert.Equal(r.RecallAt1Hard, r.HardByPair.Average(), 12);
        Assert.Equal(r.RecallAt1Easy, r.EasyByPair.Average(), 12);
        Assert.Equal(n, r.HardByPair.Length);
    }
}
