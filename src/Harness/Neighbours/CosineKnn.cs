namespace TraceProbe.Neighbours;

/// <summary>The k nearest database rows of each query, best first, as [queries, K] arrays.</summary>
public sealed record KnnNeighbours(int Queries, int K, int[] Indices, float[] Similarities)
{
    public ReadOnlySpan<int> IndicesOf(int query) => Indices.AsSpan(query * K, K);
    public ReadOnlySpan<float> SimilaritiesOf(int query) => Similarities.AsSpan(query * K, K);
}

/// <summary>
/// Exact top-k cosine neighbours on L2-normalised embeddings (cosine is then the dot product, which is
/// what is computed: callers normalise, as the embedding store already does).
/// Ranking: higher similarity first; equal similarities rank the smaller database index first.
/// Majority vote: the class with the most votes among the k; ties between classes go to the highest
/// summed similarity of their neighbours, then to the smallest class id.
/// </summary>
public static class CosineKnn
{
    /// <summary>Finds the k best database rows for every query. Inputs are row-major [rows, dim].</summary>
    public static KnnNeighbours Search(ReadOnlySpan<float> queries, ReadOnlySpan<float> database, int dim, int k = 10, int maxDegreeOfParallelism = -1)
    {
        var (nq, nd) = CheckShapes(queries, database, dim);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        var kk = Math.Min(k, nd);
        var indices = new int[nq * kk];
        var sims = new float[nq * kk];
        if (nq == 0 || kk == 0) return new KnnNeighbours(nq, kk, indices, sims);

        var heaps = new TopKHeaps(nq, kk);
        using var block = new PackedRows();
        unsafe
        {
            fixed (float* qp = queries)
            {
                for (var j0 = 0; j0 < nd; j0 += BlockedSimilarity.DatabaseBlock)
                {
                    var rows = Math.Min(BlockedSimilarity.DatabaseBlock, nd - j0);
                    block.Pack(database.Slice(j0 * dim, rows * dim), rows, dim);
                    BlockedSimilarity.Run(qp, nq, block, j0, maxDegreeOfParallelism, new HeapSink(heaps));
                }
            }
        }
        for (var i = 0; i < nq; i++)
        {
            heaps.SortBestFirst(i);
            heaps.Similarities(i).CopyTo(sims.AsSpan(i * kk, kk));
            heaps.Indices(i).CopyTo(indices.AsSpan(i * kk, kk));
        }
        return new KnnNeighbours(nq, kk, indices, sims);
    }

    /// <summary>Predicts each query's class by majority vote over its k nearest database rows.</summary>
    public static int[] Classify(ReadOnlySpan<float> queries, ReadOnlySpan<float> database, ReadOnlySpan<int> databaseLabels, int dim, KnnOptions? options = null)
    {
        options ??= new KnnOptions();
        var nd = database.Length / Math.Max(dim, 1);
        if (databaseLabels.Length != nd)
            throw new ArgumentException($"databaseLabels has {databaseLabels.Length} entries but the database has {nd} rows.", nameof(databaseLabels));
        var nn = Search(queries, database, dim, options.K, options.MaxDegreeOfParallelism);
        var predicted = new int[nn.Queries];
        var labels = nn.K <= 256 ? stackalloc int[nn.K] : new int[nn.K];
        for (var i = 0; i < nn.Queries; i++)
        {
            var idx = nn.IndicesOf(i);
            for (var a = 0; a < idx.Length; a++) labels[a] = databaseLabels[idx[a]];
            predicted[i] = Vote(labels, nn.SimilaritiesOf(i), options.VoteTieBreak);
        }
        return predicted;
    }

    /// <summary>Top-1 accuracy of the kNN classifier.</summary>
    public static double Accuracy(ReadOnlySpan<float> queries, ReadOnlySpan<int> queryLabels, ReadOnlySpan<float> database, ReadOnlySpan<int> databaseLabels, int dim, KnnOptions? options = null)
    {
        var predicted = Classify(queries, database, databaseLabels, dim, options);
        if (queryLabels.Length != predicted.Length)
            throw new ArgumentException($"queryLabels has {queryLabels.Length} entries but there are {predicted.Length} queries.", nameof(queryLabels));
        if (predicted.Length == 0) return double.NaN;
        var correct = 0;
        for (var i = 0; i < predicted.Length; i++) if (predicted[i] == queryLabels[i]) correct++;
        return (double)correct / predicted.Length;
    }

    /// <summary>
    /// Majority vote over neighbour labels (best first, with their similarities). Ties between classes:
    /// highest summed similarity (summed in rank order, in double), then smallest class id.
    /// O(k²) without allocation, since k is small.
    /// </summary>
    public static int Vote(ReadOnlySpan<int> neighbourLabels, ReadOnlySpan<float> similarities) =>
        Vote(neighbourLabels, similarities, KnnVoteTieBreak.SummedSimilarity);

    /// <summary>Majority vote with the chosen rule for classes with equally many neighbours.</summary>
    public static int Vote(ReadOnlySpan<int> neighbourLabels, ReadOnlySpan<float> similarities, KnnVoteTieBreak tieBreak)
    {
        var bySum = tieBreak == KnnVoteTieBreak.SummedSimilarity;
        if (neighbourLabels.Length == 0) throw new ArgumentException("No neighbours to vote.", nameof(neighbourLabels));
        int bestLabel = -1, bestCount = 0;
        var bestSum = double.NegativeInfinity;
        for (var a = 0; a < neighbourLabels.Length; a++)
        {
            var label = neighbourLabels[a];
            var seen = false;
            for (var b = 0; b < a && !seen; b++) seen = neighbourLabels[b] == label;
            if (seen) continue;
            var count = 0;
            var sum = 0.0;
            for (var b = a; b < neighbourLabels.Length; b++)
                if (neighbourLabels[b] == label) { count++; sum += similarities[b]; }
            if (count > bestCount || (count == bestCount && ((bySum && sum > bestSum) || ((!bySum || sum == bestSum) && label < bestLabel))))
            {
                bestLabel = label; bestCount = count; bestSum = sum;
            }
        }
        return bestLabel;
    }

    internal static (int Queries, int Database) CheckShapes(ReadOnlySpan<float> queries, ReadOnlySpan<float> database, int dim)
    {
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim), dim, "dim must be at least 1.");
        if (queries.Length % dim != 0)
            throw new ArgumentException($"queries has {queries.Length} floats, not a multiple of dim = {dim}.", nameof(queries));
        if (database.Length % dim != 0)
            throw new ArgumentException($"database has {database.Length} floats, not a multiple of dim = {dim}.", nameof(database));
        return (queries.Length / dim, database.Length / dim);
    }

    /// <summary>One heap per query.</summary>
    private readonly unsafe struct HeapSink(TopKHeaps heaps) : ICandidateSink
    {
        public ulong Candidates(int query, float* sims, int count, int firstIndex) => SimilarityKernel.AtLeast(sims, count, heaps.Floor(query));
        public void Offer(int query, float similarity, int databaseIndex) => heaps.Offer(query, similarity, databaseIndex);
    }
}
