namespace TraceProbe.Neighbours;

/// <summary>
/// The neighbour lists one (p, q) similarity pass keeps per query (queries under p, database under q):
/// the top-k of the query's own semantic class, the top-k of the other classes, and per uniform seed the
/// top-k among the database items that seed places under q. Every set-up is a union of such disjoint
/// lists, so its exact top-k follows from them (<see cref="SetupVotes"/>).
/// </summary>
internal static class PairLists
{
    public const int Own = 0;
    public const int Other = 1;
    public static int Count(int seeds) => 2 + seeds;
    public static int Seed(int seed) => 2 + seed;
}

/// <summary>
/// One (p, q) similarity pass on the CPU: the database under q streams past the queries block by block
/// (read, packed, then shared by all threads), and every candidate that can enter one of a query's lists is
/// offered to it. Lists are bounded heaps under the total order (similarity, index), so the result does not
/// depend on block sizes, thread count or arrival order.
/// </summary>
internal static class PairPass
{
    /// <param name="queries">Queries under p, row-major [queryLabels.Length, dim].</param>
    /// <param name="database">The database; read under <paramref name="q"/>.</param>
    /// <param name="seedMasks">Per database item, bit t set when uniform seed t places it under q.</param>
    /// <param name="lists">Receives [query × <see cref="PairLists.Count"/>] heaps; cleared first.</param>
    /// <param name="afterBlock">Called with the database rows done so far (progress).</param>
    public static unsafe void Run(float[] queries, int[] queryLabels, IProcessedRows database, int q, int[] databaseLabels,
        ulong[] seedMasks, int seeds, TopKHeaps lists, int maxDegreeOfParallelism, Action<int>? afterBlock = null)
    {
        var nq = queryLabels.Length;
        var dim = database.Dim;
        lists.Clear();
        var thresholds = new float[nq];
        Array.Fill(thresholds, float.NegativeInfinity);
        var sink = new ListSink(lists, queryLabels, databaseLabels, seedMasks, thresholds, PairLists.Count(seeds));
        var buffer = new float[Math.Min(BlockedSimilarity.DatabaseBlock, database.Count) * dim];
        using var block = new PackedRows();
        fixed (float* qp = queries)
        {
            for (var j0 = 0; j0 < database.Count; j0 += BlockedSimilarity.DatabaseBlock)
            {
                var rows = Math.Min(BlockedSimilarity.DatabaseBlock, database.Count - j0);
                database.Read(q, j0, rows, buffer);
                block.Pack(buffer, rows, dim);
                BlockedSimilarity.Run(qp, nq, block, j0, maxDegreeOfParallelism, sink);
                afterBlock?.Invoke(j0 + rows);
            }
        }
    }

    /// <summary>Routes a candidate to the own- or other-class list and to the lists of the seeds that place it under q.</summary>
    private readonly struct ListSink(TopKHeaps lists, int[] queryLabels, int[] databaseLabels, ulong[] seedMasks, float[] thresholds, int perQuery) : ICandidateSink
    {
        public float Threshold(int query) => thresholds[query];

        public void Offer(int query, float similarity, int databaseIndex)
        {
            var first = query * perQuery;
            lists.Offer(first + (databaseLabels[databaseIndex] == queryLabels[query] ? PairLists.Own : PairLists.Other), similarity, databaseIndex);
            for (var m = seedMasks[databaseIndex]; m != 0; m &= m - 1)
                lists.Offer(first + PairLists.Seed(System.Numerics.BitOperations.TrailingZeroCount(m)), similarity, databaseIndex);
            // The query's threshold is its lowest floor: a candidate below it fits in none of its lists.
            var t = lists.Floor(first);
            for (var h = 1; h < perQuery; h++) t = Math.Min(t, lists.Floor(first + h));
            thresholds[query] = t;
        }
    }
}
