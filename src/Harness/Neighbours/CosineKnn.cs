using System.Buffers;

namespace TraceProbe.Neighbours;

/// <summary>Options shared by the kNN classifier and the kNN influence set-ups.</summary>
public sealed record KnnOptions
{
    /// <summary>Neighbours per query (the paper uses 10; 1 gives the 1-NN classifier).</summary>
    public int K { get; init; } = 10;

    /// <summary>Random processing assignments drawn for the uniform set-up.</summary>
    public int UniformSeeds { get; init; } = 10;

    /// <summary>The run's seed; the uniform set-up's assignments derive from it.</summary>
    public ulong Seed { get; init; }

    /// <summary>Threads to use; -1 for all. Results are identical for every value.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}

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
    // Query rows per parallel work item (also the unit of cache blocking): 128 rows of 512 floats stay
    // in L2 while database chunks of DatabaseChunk rows stream past them.
    internal const int QueryBlock = 128;
    internal const int DatabaseChunk = 64;

    /// <summary>Finds the k best database rows for every query. Inputs are row-major [rows, dim].</summary>
    public static KnnNeighbours Search(ReadOnlySpan<float> queries, ReadOnlySpan<float> database, int dim, int k = 10, int maxDegreeOfParallelism = -1)
    {
        var (nq, nd) = CheckShapes(queries, database, dim);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        var kk = Math.Min(k, nd);
        var indices = new int[nq * kk];
        var sims = new float[nq * kk];
        if (nq == 0 || kk == 0) return new KnnNeighbours(nq, kk, indices, sims);

        unsafe
        {
            fixed (float* qp = queries, dp = database)
            {
                var job = new SearchJob((nint)qp, nq, (nint)dp, nd, dim, kk, indices, sims);
                var blocks = (nq + QueryBlock - 1) / QueryBlock;
                Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, job.Run);
            }
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
        Span<int> labels = nn.K <= 256 ? stackalloc int[nn.K] : new int[nn.K];
        for (var i = 0; i < nn.Queries; i++)
        {
            var idx = nn.IndicesOf(i);
            for (var a = 0; a < idx.Length; a++) labels[a] = databaseLabels[idx[a]];
            predicted[i] = Vote(labels, nn.SimilaritiesOf(i));
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
    public static int Vote(ReadOnlySpan<int> neighbourLabels, ReadOnlySpan<float> similarities)
    {
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
            if (count > bestCount || (count == bestCount && (sum > bestSum || (sum == bestSum && label < bestLabel))))
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

    private sealed unsafe class SearchJob(nint queries, int nq, nint database, int nd, int dim, int k, int[] indices, float[] sims)
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public void Run(int block)
        {
            var q0 = block * QueryBlock;
            var rows = Math.Min(QueryBlock, nq - q0);
            var tile = ArrayPool<float>.Shared.Rent(rows * DatabaseChunk);
            try
            {
                fixed (float* tp = tile)
                {
                    var q = (float*)queries + (long)q0 * dim;
                    // Heaps write straight into this block's rows of the output arrays.
                    var heapSims = sims.AsSpan(q0 * k, rows * k);
                    var heapIdx = indices.AsSpan(q0 * k, rows * k);
                    var counts = new int[rows];
                    for (var j0 = 0; j0 < nd; j0 += DatabaseChunk)
                    {
                        var cols = Math.Min(DatabaseChunk, nd - j0);
                        SimilarityKernel.Compute(q, rows, (float*)database + (long)j0 * dim, cols, dim, tp, DatabaseChunk);
                        for (var i = 0; i < rows; i++)
                        {
                            var heap = Resume(heapSims.Slice(i * k, k), heapIdx.Slice(i * k, k), counts[i]);
                            var row = tp + i * DatabaseChunk;
                            for (var j = 0; j < cols; j++) heap.Offer(row[j], j0 + j);
                            counts[i] = heap.Count;
                        }
                    }
                    for (var i = 0; i < rows; i++)
                        Resume(heapSims.Slice(i * k, k), heapIdx.Slice(i * k, k), counts[i]).SortBestFirst();
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(tile);
            }
        }
    }

    internal static TopKHeap Resume(Span<float> sims, Span<int> indices, int count) => new(sims, indices, count);
}
