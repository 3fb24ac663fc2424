using System.Runtime.Intrinsics;

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
    /// <param name="lists">[query × <see cref="PairLists.Count"/>] heaps, empty or started (<see cref="SetupVotes.StartPass"/>).</param>
    /// <param name="afterBlock">Called with the database rows done so far (progress).</param>
    /// <param name="buffers">A database block's rows as read and as packed, reused from pass to pass.</param>
    public static unsafe void Run(float[] queries, int[] queryLabels, IProcessedRows database, int q, int[] databaseLabels,
        ulong[] seedMasks, int seeds, TopKHeaps lists, int maxDegreeOfParallelism, Action<int>? afterBlock = null, PassBuffers? buffers = null)
    {
        buffers ??= new PassBuffers();
        var nq = queryLabels.Length;
        var dim = database.Dim;
        var per = PairLists.Count(seeds);
        var seedFloors = new float[nq];
        for (var i = 0; i < nq; i++)
        {
            var floor = float.PositiveInfinity;
            for (var t = 0; t < seeds; t++) floor = Math.Min(floor, lists.Floor(i * per + PairLists.Seed(t)));
            seedFloors[i] = floor;
        }
        var buffer = buffers.Rows(BlockedSimilarity.DatabaseBlock * dim);
        var block = buffers.Packed;
        fixed (float* qp = queries)
        fixed (int* labels = databaseLabels)
        {
            var sink = new ListSink(lists, queryLabels, labels, seedMasks, seedFloors, per);
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

    /// <summary>One database block's memory, kept by the engine for all its passes (not per pass on the large-object heap).</summary>
    internal sealed class PassBuffers : IDisposable
    {
        private float[] _rows = [];
        public PackedRows Packed { get; } = new();
        public float[] Rows(int length) => _rows.Length >= length ? _rows : _rows = new float[length];
        public void Dispose() => Packed.Dispose();
    }

    /// <summary>
    /// Routes a candidate to the own- or other-class list and to the lists of the seeds that place it under q.
    /// The filter tests each candidate against the floor of the list its class sends it to, and against the
    /// lowest seed floor: a query's own class is a small share of the database, so its list's floor stays
    /// low, and one threshold for all lists would let most other-class candidates through for nothing.
    /// </summary>
    private readonly unsafe struct ListSink(TopKHeaps lists, int[] queryLabels, int* databaseLabels,
        ulong[] seedMasks, float[] seedFloors, int perQuery) : ICandidateSink
    {
        public ulong Candidates(int query, float* sims, int count, int firstIndex)
        {
            var first = query * perQuery;
            float own = lists.Floor(first + PairLists.Own), other = lists.Floor(first + PairLists.Other), seed = seedFloors[query];
            var label = queryLabels[query];
            if (Vector512.IsHardwareAccelerated && count == 64)
            {
                var l = Vector512.Create(label);
                Vector512<float> vo = Vector512.Create(own), vx = Vector512.Create(other), vs = Vector512.Create(seed);
                ulong mask = 0;
                for (var c = 0; c < 64; c += 16)
                {
                    var s = Vector512.Load(sims + c);
                    var isOwn = Vector512.Equals(Vector512.Load(databaseLabels + firstIndex + c), l).AsSingle();
                    var pass = Vector512.ConditionalSelect(isOwn, Vector512.GreaterThanOrEqual(s, vo), Vector512.GreaterThanOrEqual(s, vx))
                             | Vector512.GreaterThanOrEqual(s, vs);
                    mask |= pass.ExtractMostSignificantBits() << c;
                }
                return mask;
            }
            ulong m = 0;
            for (var c = 0; c < count; c++)
            {
                var s = sims[c];
                if (s >= seed || s >= (databaseLabels[firstIndex + c] == label ? own : other)) m |= 1UL << c;
            }
            return m;
        }

        public void Offer(int query, float similarity, int databaseIndex)
        {
            var first = query * perQuery;
            lists.Offer(first + (databaseLabels[databaseIndex] == queryLabels[query] ? PairLists.Own : PairLists.Other), similarity, databaseIndex);
            var m = seedMasks[databaseIndex];
            if (m == 0 || similarity < seedFloors[query]) return;
            for (; m != 0; m &= m - 1)
                lists.Offer(first + PairLists.Seed(System.Numerics.BitOperations.TrailingZeroCount(m)), similarity, databaseIndex);
            var t = lists.Floor(first + PairLists.Seed(0));
            for (var h = PairLists.Seed(1); h < perQuery; h++) t = Math.Min(t, lists.Floor(first + h));
            seedFloors[query] = t;
        }
    }
}
