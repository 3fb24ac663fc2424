using TraceProbe.Common;
using TraceProbe.Neighbours;

namespace TraceProbe.Tests.Neighbours;

public class CosineKnnTests
{
    /// <summary>Small integers / 4: every product and sum is exact in float, so ties are exact and many.</summary>
    internal static float[] IntegerRows(SeededRandom rng, int rows, int dim, int range = 3)
    {
        var x = new float[rows * dim];
        for (var i = 0; i < x.Length; i++) x[i] = rng.Next(-range, range + 1) / 4f;
        return x;
    }

    internal static float[] UnitRows(SeededRandom rng, int rows, int dim)
    {
        var x = new float[rows * dim];
        for (var r = 0; r < rows; r++)
        {
            double norm = 0;
            for (var d = 0; d < dim; d++)
            {
                // Box–Muller: Gaussian directions are uniform on the sphere once normalised.
                var g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                x[r * dim + d] = (float)g;
                norm += g * g;
            }
            var inv = (float)(1 / Math.Sqrt(norm));
            for (var d = 0; d < dim; d++) x[r * dim + d] *= inv;
        }
        return x;
    }

    /// <summary>All dot products in double and a full sort by (similarity desc, index asc).</summary>
    private static (int[] Indices, double[] Sims) BruteForce(float[] q, float[] db, int dim, int k)
    {
        int nq = q.Length / dim, nd = db.Length / dim, kk = Math.Min(k, nd);
        var indices = new int[nq * kk];
        var sims = new double[nq * kk];
        for (var i = 0; i < nq; i++)
        {
            var s = new double[nd];
            for (var j = 0; j < nd; j++)
                for (var d = 0; d < dim; d++) s[j] += (double)q[i * dim + d] * db[j * dim + d];
            var order = Enumerable.Range(0, nd).OrderByDescending(j => s[j]).ThenBy(j => j).Take(kk).ToArray();
            for (var a = 0; a < kk; a++) { indices[i * kk + a] = order[a]; sims[i * kk + a] = s[order[a]]; }
        }
        return (indices, sims);
    }

    [Fact]
    public void Every_dimension_from_1_to_300_matches_brute_force_exactly_with_ties()
    {
        var rng = new SeededRandom(11);
        for (var dim = 1; dim <= 300; dim++)
        {
            // 6 × 7 rows: partial tiles on both sides; range 1 makes exact ties frequent.
            var q = IntegerRows(rng, 6, dim, range: 1);
            var db = IntegerRows(rng, 7, dim, range: 1);
            var k = dim % 2 == 0 ? 3 : 1;
            var got = CosineKnn.Search(q, db, dim, k);
            var (idx, sims) = BruteForce(q, db, dim, k);
            Assert.Equal(idx, got.Indices);
            for (var a = 0; a < sims.Length; a++) Assert.Equal(sims[a], got.Similarities[a]);
        }
    }

    [Theory]
    [InlineData(1, 1, 16, 10)]
    [InlineData(5, 3, 8, 10)]     // k larger than the database
    [InlineData(130, 300, 33, 10)] // several query blocks, many database chunks, odd dimension
    [InlineData(257, 129, 64, 1)]
    public void Integer_data_with_many_ties_matches_brute_force(int nq, int nd, int dim, int k)
    {
        var rng = new SeededRandom((ulong)(nq * 7919 + nd));
        var q = IntegerRows(rng, nq, dim, range: 1);
        var db = IntegerRows(rng, nd, dim, range: 1);
        var got = CosineKnn.Search(q, db, dim, k);
        var (idx, sims) = BruteForce(q, db, dim, k);
        Assert.Equal(Math.Min(k, nd), got.K);
        Assert.Equal(idx, got.Indices);
        Assert.Equal(sims, got.Similarities.Select(s => (double)s).ToArray());
    }

    [Fact]
    public void Random_unit_vectors_match_brute_force_up_to_rounding()
    {
        const int dim = 512, nq = 70, nd = 300, k = 10;
        var rng = new SeededRandom(5);
        var q = UnitRows(rng, nq, dim);
        var db = UnitRows(rng, nd, dim);
        var got = CosineKnn.Search(q, db, dim, k);
        var (idx, sims) = BruteForce(q, db, dim, k);
        for (var a = 0; a < idx.Length; a++)
        {
            Assert.Equal(sims[a], got.Similarities[a], 1e-5);
            // The order may only differ where the reference itself is within rounding of a neighbour.
            if (idx[a] != got.Indices[a])
            {
                var i = a / k;
                var gotSim = 0.0;
                for (var d = 0; d < dim; d++) gotSim += (double)q[i * dim + d] * db[got.Indices[a] * dim + d];
                Assert.Equal(sims[a], gotSim, 1e-5);
            }
        }
    }

    [Fact]
    public void Exact_duplicates_rank_the_smaller_database_index_first()
    {
        const int dim = 5;
        float[] v = [0.6f, 0.8f, 0, 0, 0], w = [0, 0, 1, 0, 0];
        float[] db = [.. w, .. v, .. v, .. w, .. v];
        var got = CosineKnn.Search(v, db, dim, k: 4);
        Assert.Equal([1, 2, 4, 0], got.Indices);
    }

    [Fact]
    public void Results_are_identical_for_any_thread_count()
    {
        const int dim = 96;
        var rng = new SeededRandom(3);
        var q = UnitRows(rng, 600, dim);
        var db = UnitRows(rng, 500, dim);
        var one = CosineKnn.Search(q, db, dim, 10, maxDegreeOfParallelism: 1);
        foreach (var threads in new[] { 2, 3, -1 })
        {
            var other = CosineKnn.Search(q, db, dim, 10, threads);
            Assert.Equal(one.Indices, other.Indices);
            Assert.Equal(one.Similarities, other.Similarities);
        }
    }

    [Theory]
    [InlineData(new[] { 5, 5, 1 }, new[] { 0.5f, 0.25f, 0.75f }, 5)]        // plain majority
    [InlineData(new[] { 3, 2, 2, 3 }, new[] { 1f, 0.75f, 0.5f, 0.5f }, 3)]  // tied counts: larger summed similarity
    [InlineData(new[] { 1, 2, 2, 1 }, new[] { 0.75f, 0.5f, 0.5f, 0.25f }, 1)] // tied counts and sums: smaller class id
    [InlineData(new[] { 4, 2, 2, 4 }, new[] { 0.75f, 0.5f, 0.5f, 0.25f }, 2)]
    [InlineData(new[] { 7 }, new[] { -1f }, 7)]
    public void Vote_uses_the_documented_tie_break(int[] labels, float[] sims, int expected)
        => Assert.Equal(expected, CosineKnn.Vote(labels, sims));

    /// <summary>The reference's rule: a one-hot count, then a stable descending sort, so the smallest tied class id wins.</summary>
    [Theory]
    [InlineData(new[] { 5, 5, 1 }, new[] { 0.5f, 0.25f, 0.75f }, 5)]
    [InlineData(new[] { 3, 2, 2, 3 }, new[] { 1f, 0.75f, 0.5f, 0.5f }, 2)]  // summed similarity would pick 3
    [InlineData(new[] { 4, 9, 9, 4, 1 }, new[] { 0.9f, 0.5f, 0.5f, 0.25f, 0.1f }, 4)]
    public void Reference_vote_breaks_count_ties_by_the_smallest_class(int[] labels, float[] sims, int expected)
        => Assert.Equal(expected, CosineKnn.Vote(labels, sims, KnnVoteTieBreak.SmallestClass));

    [Fact]
    public void Classifier_recovers_separated_classes()
    {
        const int dim = 3;
        float[] db = [1, 0, 0, 0.9f, 0.1f, 0, 0, 1, 0, 0, 0.9f, 0.1f];
        int[] dbLabels = [0, 0, 1, 1];
        float[] q = [0.95f, 0.05f, 0, 0.05f, 0.95f, 0];
        Assert.Equal([0, 1], CosineKnn.Classify(q, db, dbLabels, dim, new KnnOptions { K = 1 }));
        Assert.Equal(1.0, CosineKnn.Accuracy(q, [0, 1], db, dbLabels, dim, new KnnOptions { K = 1 }));
    }

    /// <summary>Guards the SIMD re-runs: each DOTNET_Enable* switch must really move the kernel to a narrower path.</summary>
    [Fact]
    public void Kernel_path_follows_the_runtime_switches()
    {
        var path = SimilarityKernel.Path;
        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0") Assert.Equal("Scalar", path);
        else if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0") Assert.Equal("Vector128", path);
        // .NET 10 reads DOTNET_EnableAVX512 (AVX512F alone no longer turns the 512-bit path off).
        else if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0") Assert.Equal("Vector256", path);
    }

    [Fact]
    public void Shape_errors_name_the_input()
    {
        var e = Assert.Throws<ArgumentException>(() => CosineKnn.Search(new float[7], new float[8], 4));
        Assert.Equal("queries", e.ParamName);
    }
}
