using System.Buffers;

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
    /// <summary>Per pair, the share of its two queries (one per direction) that found their pair, hard negatives.</summary>
    public double[] HardByPair { get; init; } = [];
    /// <summary>Per pair, the same with easy negatives.</summary>
    public double[] EasyByPair { get; init; } = [];
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

        double Recall(float[] target, float[] negatives)
        {
            var hits = 0;
            for (var i = 0; i < n; i++) if (target[i] > negatives[i]) hits++;
            return (double)hits / n;
        }
        double h12 = Recall(target12, hard12), h21 = Recall(target21, hard21);
        double e12 = Recall(target12, easy12), e21 = Recall(target21, easy21);
        var hardByPair = new double[n];
        var easyByPair = new double[n];
        for (var i = 0; i < n; i++)
        {
            hardByPair[i] = ((target12[i] > hard12[i] ? 1 : 0) + (target21[i] > hard21[i] ? 1 : 0)) / 2.0;
            easyByPair[i] = ((target12[i] > easy12[i] ? 1 : 0) + (target21[i] > easy21[i] ? 1 : 0)) / 2.0;
        }
        return new RetrievalResult(n, (h12 + h21) / 2, (e12 + e21) / 2, h12, h21, e12, e21) { HardByPair = hardByPair, EasyByPair = easyByPair };
    }

    /// <summary>For each row i of Q·Dᵀ: the diagonal entry and the largest entry off the diagonal (−∞ if none).</summary>
    private static unsafe void RowStats(nint q, nint db, int n, int dim, float[] diagonal, float[] offDiagonalMax, int maxDegreeOfParallelism)
    {
        var blocks = (n + CosineKnn.QueryBlock - 1) / CosineKnn.QueryBlock;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, block =>
        {
            var i0 = block * CosineKnn.QueryBlock;
            var rows = Math.Min(CosineKnn.QueryBlock, n - i0);
            const int chunk = CosineKnn.DatabaseChunk;
            var tile = ArrayPool<float>.Shared.Rent(rows * chunk);
            try
            {
                for (var i = 0; i < rows; i++) offDiagonalMax[i0 + i] = float.NegativeInfinity;
                fixed (float* tp = tile)
                {
                    for (var j0 = 0; j0 < n; j0 += chunk)
                    {
                        var cols = Math.Min(chunk, n - j0);
                        SimilarityKernel.Compute((float*)q + (long)i0 * dim, rows, (float*)db + (long)j0 * dim, cols, dim, tp, chunk);
                        for (var i = 0; i < rows; i++)
                        {
                            var gi = i0 + i;
                            var row = tp + i * chunk;
                            var max = offDiagonalMax[gi];
                            for (var j = 0; j < cols; j++)
                            {
                                if (j0 + j == gi) diagonal[gi] = row[j];
                                else if (row[j] > max) max = row[j];
                            }
                            offDiagonalMax[gi] = max;
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(tile);
            }
        });
    }
}
