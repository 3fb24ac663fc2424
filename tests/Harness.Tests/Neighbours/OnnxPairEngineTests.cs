using TraceProbe.Common;
using TraceProbe.Neighbours;

namespace TraceProbe.Tests.Neighbours;

/// <summary>The `--device cuda` graph, run on ONNX Runtime's CPU provider (no GPU here), against the CPU kernel.</summary>
public class OnnxPairEngineTests
{
    [Fact]
    public void The_graph_keeps_the_same_lists_as_the_cpu_kernel_within_float_rounding()
    {
        const int nq = 300, nd = 5_000, dim = 40, seeds = 4, k = 7, P = 3, q = 1;
        var rng = new SeededRandom(31);
        var queries = CosineKnnTests.UnitRows(rng, nq, dim);
        var dbRows = CosineKnnTests.UnitRows(rng, nd * P, dim);
        var qLabels = Enumerable.Range(0, nq).Select(_ => rng.Next(5)).ToArray();
        var dbLabels = Enumerable.Range(0, nd).Select(_ => rng.Next(5)).ToArray();
        var masks = KnnInfluence.UniformMasks(3, seeds, P, nd)[q];
        var database = new InMemoryRows(dbRows, nd, P, dim);
        var per = PairLists.Count(seeds);

        var cpu = new TopKHeaps(nq * per, k);
        var onnx = new TopKHeaps(nq * per, k);
        using (var engine = PairEngine.Create(KnnDevice.Cpu, 0, k, seeds))
            engine.Run(queries, qLabels, database, q, dbLabels, masks, cpu, -1, null);
        using (var engine = PairEngine.Create(KnnDevice.OnnxCpu, 0, k, seeds))
            engine.Run(queries, qLabels, database, q, dbLabels, masks, onnx, -1, null);

        var differentIndices = 0;
        for (var h = 0; h < nq * per; h++)
        {
            cpu.SortBestFirst(h);
            onnx.SortBestFirst(h);
            Assert.Equal(k, cpu.Indices(h).Length);
            Assert.Equal(k, onnx.Indices(h).Length);
            for (var e = 0; e < k; e++)
            {
                Assert.Equal(cpu.Similarities(h)[e], onnx.Similarities(h)[e], 1e-5f);
                if (cpu.Indices(h)[e] != onnx.Indices(h)[e]) differentIndices++;
            }
        }
        // Only near-ties may swap places under a different summation order.
        Assert.True(differentIndices <= nq * per * k / 1000, $"{differentIndices} neighbours differ");
        // The lists really are the own-class / other-class / seed shares.
        for (var i = 0; i < nq; i++)
        {
            Assert.All(onnx.Indices(i * per + PairLists.Own).ToArray(), j => Assert.Equal(qLabels[i], dbLabels[j]));
            Assert.All(onnx.Indices(i * per + PairLists.Other).ToArray(), j => Assert.NotEqual(qLabels[i], dbLabels[j]));
            Assert.All(onnx.Indices(i * per + PairLists.Seed(2)).ToArray(), j => Assert.True((masks[j] >> 2 & 1) != 0));
        }
    }

    [Fact]
    public void Set_up_accuracies_on_the_onnx_graph_equal_the_cpu_kernel()
    {
        var (x, dim, labels, isQuery) = KnnInfluenceTests.Toy(classes: 4, processings: 3, perClassDb: 30, perClassQuery: 6, alpha: 0.6f, beta: 0.8f);
        var cpu = KnnInfluence.Evaluate(x, labels.Length, 3, dim, labels, isQuery, new KnnOptions { K = 5, Seed = 1 });
        var onnx = KnnInfluence.Evaluate(x, labels.Length, 3, dim, labels, isQuery, new KnnOptions { K = 5, Seed = 1, Device = KnnDevice.OnnxCpu });
        Assert.Equal(cpu.Setups, onnx.Setups);
        Assert.Equal(cpu.UniformBySeed, onnx.UniformBySeed);
    }
}
