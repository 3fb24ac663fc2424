using System.Diagnostics;

namespace TraceProbe.Neighbours;

/// <summary>
/// What a kNN influence run will cost, stated before it starts: its similarity passes against the
/// reference's per-triple passes, the multiply-adds, the memory it holds and the expected time at the
/// kernel speed measured on this machine.
/// </summary>
public sealed record KnnCost(int Queries, int Database, int Dim, int Processings, int Seeds,
    double Gflops, long MemoryBytes, string Device)
{
    /// <summary>One pass per (p, q) pair: P².</summary>
    public int Passes => Processings * Processings;

    /// <summary>The reference script's passes: one per (test, positives, negatives) triple plus one per (test, seed): P³ + P·seeds.</summary>
    public int ReferencePasses => Processings * Processings * Processings + Processings * Seeds;

    /// <summary>
    /// The reference's similarity matrices: a triple whose positives and negatives differ computes two (the
    /// negatives', then the positives' for the query's class): P² + 2·P²·(P − 1) + P·seeds, 456 for JPEG.
    /// </summary>
    public int ReferenceMatrices => Processings * Processings + 2 * Processings * Processings * (Processings - 1) + Processings * Seeds;

    /// <summary>2 · queries · database · dim: one similarity pass.</summary>
    public double FlopsPerPass => 2.0 * Queries * Database * Dim;

    public double Flops => Passes * FlopsPerPass;
    public double ReferenceFlops => ReferenceMatrices * FlopsPerPass;
    public TimeSpan ExpectedTime => TimeSpan.FromSeconds(Flops / (Gflops * 1e9));

    public override string ToString() =>
        $"kNN influence: {Passes} similarity passes (one per (p, q) pair; the reference's per-triple script runs {ReferencePasses}, with {ReferenceMatrices} similarity matrices) " +
        $"of {Queries:N0} × {Database:N0} × {Dim}, {Amount(FlopsPerPass)} each: {Amount(Flops)} in all " +
        $"({Amount(ReferenceFlops)} for the reference). Expected {Format(ExpectedTime)} at {Gflops:N0} GFLOP/s " +
        $"({Device}); memory about {MemoryBytes / (1 << 20):N0} MiB.";

    internal static string Format(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes:00} min" :
        t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds:00} s" :
        t.TotalSeconds >= 0.1 ? $"{t.TotalSeconds:0.0} s" : "under 0.1 s";

    /// <summary>FLOPs in the unit that keeps three significant digits readable: "9.4 MFLOP", "98.3 TFLOP".</summary>
    internal static string Amount(double flops) => flops switch
    {
        >= 1e12 => $"{flops / 1e12:N1} TFLOP",
        >= 1e9 => $"{flops / 1e9:N1} GFLOP",
        >= 1e6 => $"{flops / 1e6:N1} MFLOP",
        _ => $"{flops:N0} FLOP",
    };
}

public static class KnnCostModel
{
    /// <summary>
    /// The cost of <see cref="KnnInfluence.Evaluate(KnnInfluenceInput, KnnOptions?, IProgress{KnnProgress}?, string?, CancellationToken)"/> on
    /// these sizes. The speed is measured by a short run of the CPU kernel (about 0.1 s) unless given; on
    /// a GPU the progress line's ETA is the better guide.
    /// </summary>
    public static KnnCost Estimate(int queries, int database, int dim, int processings, KnnOptions options, double? gflops = null)
    {
        var blockRows = Math.Min(options.QueryRowsInMemory, queries);
        var k = Math.Min(options.K, database);
        var lists = (long)blockRows * PairLists.Count(options.UniformSeeds) * k * (sizeof(float) + sizeof(int));
        var memory = (long)blockRows * dim * sizeof(float)                  // the query block
            + 2 * lists                                                     // the pass's lists and the kept ones
            + 2L * BlockedSimilarity.DatabaseBlock * dim * sizeof(float)    // a database block, read and packed
            + (long)database * (processings * sizeof(ulong) + sizeof(int)); // seed masks and labels
        var device = options.Device == KnnDevice.Cpu ? "CPU kernel, measured now" : $"{options.Device}; speed measured on the CPU kernel";
        return new KnnCost(queries, database, dim, processings, options.UniformSeeds, gflops ?? MeasureGflops(dim, options.MaxDegreeOfParallelism), memory, device);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(int, int), double> Measured = new();

    /// <summary>
    /// GFLOP/s of the blocked kernel with top-10 on random unit rows: a short run after one warm-up, once per
    /// process for a (dim, threads) pair (a run that states the cost of every task measures once).
    /// </summary>
    public static double MeasureGflops(int dim, int maxDegreeOfParallelism = -1) =>
        Measured.GetOrAdd((dim, maxDegreeOfParallelism), key => Measure(key.Item1, key.Item2));

    private static double Measure(int dim, int maxDegreeOfParallelism)
    {
        const int nq = 384, nd = 2 * BlockedSimilarity.DatabaseBlock;
        var rng = new Random(1);
        var q = new float[nq * dim];
        var d = new float[nd * dim];
        for (var i = 0; i < q.Length; i++) q[i] = (float)(rng.NextDouble() - 0.5);
        for (var i = 0; i < d.Length; i++) d[i] = (float)(rng.NextDouble() - 0.5);
        CosineKnn.Search(q.AsSpan(0, 96 * dim), d.AsSpan(0, 64 * dim), dim, 10, maxDegreeOfParallelism);
        var best = double.MaxValue;
        for (var r = 0; r < 3; r++)
        {
            var clock = Stopwatch.StartNew();
            CosineKnn.Search(q, d, dim, 10, maxDegreeOfParallelism);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return 2.0 * nq * nd * dim / best / 1e9;
    }
}
