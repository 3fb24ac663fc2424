namespace TraceProbe.Neighbours;

/// <summary>
/// Recall@1 of near-duplicate retrieval on a paired collection (PairCams: pair i is the same subject
/// shot by a phone, row i of the first class, and by a camera, row i of the second class).
/// Hard: negatives are the other images of the query's own class (a shared camera trace pulls them
/// close). Easy: negatives are the other images of the target's class. Each averaged over directions.
/// </summary>
public sealed record RetrievalResult(
    int Pairs,
    double RecallAt1Hard,
    double RecallAt1Easy,
    double HardFirstToSecond,
    double HardSecondToFirst,
    double EasyFirstToSecond,
    double EasySecondToFirst)
{
    /// <summary>
    /// Recall@1 per query class (0: queries of the first class, 1: of the second), as the reference's retrieval
    /// reports it, with each pair's hit (0/1) in that direction for the intervals.
    /// </summary>
    public IReadOnlyList<(int QueryClass, double Hard, double Easy, double[] HardHits, double[] EasyHits)> PerQueryClass =>
        [(0, HardFirstToSecond, EasyFirstToSecond, HardHits[0], EasyHits[0]), (1, HardSecondToFirst, EasySecondToFirst, HardHits[1], EasyHits[1])];

    /// <summary>Per pair, the share of its two queries (one per direction) that found their pair, hard negatives.</summary>
    public double[] HardByPair { get; init; } = [];
    /// <summary>Per pair, the same with easy negatives.</summary>
    public double[] EasyByPair { get; init; } = [];
    /// <summary>Per direction (first→second, second→first), each pair's hit with hard negatives.</summary>
    public double[][] HardHits { get; init; } = [[], []];
    /// <summary>The same with easy negatives.</summary>
    public double[][] EasyHits { get; init; } = [[], []];
}

public static class NearDuplicateRetrieval
{
    /// <summary>
    /// Evaluates both protocols in both directions on L2-normalised embeddings [pairs, dim] per class.
    /// A query counts as retrieved only if its pair is strictly more similar than every negative: a tie
    /// with a negative is a miss, so that the result never depends on database order.
    /// </summary>
    public static RetrievalResult Evaluate(ReadOnlySpan<float> first, ReadOnlySpan<float> second, int dim, int maxDegreeOfParallelism = -1)
    {
        var (n, n2) = CosineKnn.CheckShapes(first, second, dim);
        if (n != n2) throw new ArgumentException($"The two classes must be paired row by row: {n} rows against {n2}.", nameof(second));
        if (n == 0) throw new ArgumentException("No pairs to evaluate.", nameof(first));

        var target12 = new float[n]; var easy12 = new float[n];
        var target21 = new float[n]; var easy21 = new float[n];
        var hard12 = new float[n]; var hard21 = new float[n];
        var unused = new float[n];
        unsafe
        {
            fixed (float* a = first, b = second)
            {
                // Row i of A·Bᵀ: its pair on the diagonal, the easy negatives off it; and so on.
                RowStats((nint)a, (nint)b, n, dim, target12, easy12, maxDegreeOfParallelism);
                RowStats((nint)b, (nint)a, n, dim, target21, easy21, maxDegreeOfParallelism);
                RowStats((nint)a, (nint)a, n, dim, unused, hard12, maxDegreeOfParallelism);
                RowStats((nint)b, (nint)b, n, dim, unused, hard21, maxDegreeOfParallelism);
            }
        }

        double[] Hits(float[] target, float[] negatives)
        {
            var hits = new double[n];
            for (var i = 0; i < n; i++) hits[i] = target[i] > negatives[i] ? 1 : 0;
            return hits;
        }
        double[] h12 = Hits(target12, hard12), h21 = Hits(target21, hard21);
        double[] e12 = Hits(target12, easy12), e21 = Hits(target21, easy21);
        var hardByPair = new double[n];
        var easyByPair = new double[n];
        for (var i = 0; i < n; i++)
        {
            hardByPair[i] = (h12[i] + h21[i]) / 2.0;
            easyByPair[i] = (e12[i] + e21[i]) / 2.0;
        }
        return new RetrievalResult(n, hardByPair.Average(), easyByPair.Average(), h12.Average(), h21.Average(), e12.Average(), e21.Average())
        {
            HardByPair = hardByPair, EasyByPair = easyByPair, HardHits = [h12, h21], EasyHits = [e12, e21],
        };
    }

    /// <summary>For each row i of Q·Dᵀ: the diagonal entry and the largest entry off the diagonal (−∞ if none).</summary>
    private static unsafe void RowStats(nint q, nint db, int n, int dim, float[] diagonal, float[] offDiagonalMax, int maxDegreeOfParallelism)
    {
        Array.Fill(offDiagonalMax, float.NegativeInfinity);
        using var block = new PackedRows();
        for (var j0 = 0; j0 < n; j0 += BlockedSimilarity.DatabaseBlock)
        {
            var rows = Math.Min(BlockedSimilarity.DatabaseBlock, n - j0);
            block.Pack(new ReadOnlySpan<float>((float*)db + (long)j0 * dim, rows * dim), rows, dim);
            BlockedSimilarity.Run((float*)q, n, block, j0, maxDegreeOfParallelism, new StatsSink(diagonal, offDiagonalMax));
        }
    }

    /// <summary>Every candidate is needed (the diagonal may be low), so the threshold is −∞; n is small (pairs of photos).</summary>
    private readonly unsafe struct StatsSink(float[] diagonal, float[] offDiagonalMax) : ICandidateSink
    {
        public ulong Candidates(int query, float* sims, int count, int firstIndex) => count >= 64 ? ulong.MaxValue : (1UL << count) - 1;

        public void Offer(int query, float similarity, int databaseIndex)
        {
            if (databaseIndex == query) diagonal[query] = similarity;
            else if (similarity > offDiagonalMax[query]) offDiagonalMax[query] = similarity;
        }
    }
}
