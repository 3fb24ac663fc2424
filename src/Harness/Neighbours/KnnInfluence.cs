using System.Buffers;
using TraceProbe.Common;

namespace TraceProbe.Neighbours;

/// <summary>
/// The paper's kNN set-ups, named (query processing, database same-class processing, database
/// other-class processing) for test processing p and another processing q ≠ p.
/// </summary>
public enum KnnSetup
{
    /// <summary>(p, p, p): everything under the test processing.</summary>
    AllSame,
    /// <summary>(p, p, q): the query's class shares its processing, the other classes do not.</summary>
    PosSame,
    /// <summary>(p, q, p): the other classes share the query's processing, its own class does not.</summary>
    NegSame,
    /// <summary>(p, q, q): the whole database under another processing.</summary>
    AllDiff,
    /// <summary>Queries under p, each database image under a processing drawn uniformly at random.</summary>
    Uniform,
}

/// <summary>
/// One set-up's accuracy averaged over p (and q where the set-up has one). Std is over the uniform
/// set-up's seeds (population std, as numpy's default); 0 for the deterministic set-ups.
/// </summary>
public readonly record struct KnnSetupAccuracy(KnnSetup Setup, double Mean, double Std);

/// <summary>
/// kNN influence of one processing task. The by-pair arrays are [P × P] row-major with row p (test
/// processing) and column q (other processing); their diagonal is NaN.
/// </summary>
public sealed record KnnInfluenceResult(
    int K,
    int Queries,
    int DatabaseItems,
    int Processings,
    KnnSetupAccuracy AllSame,
    KnnSetupAccuracy PosSame,
    KnnSetupAccuracy NegSame,
    KnnSetupAccuracy AllDiff,
    KnnSetupAccuracy Uniform,
    double[] AllSameByProcessing,
    double[] PosSameByPair,
    double[] NegSameByPair,
    double[] AllDiffByPair,
    double[] UniformBySeed)
{
    /// <summary>
    /// Per set-up (in <see cref="Setups"/> order), each query's accuracy averaged as the set-up averages (over p, and q
    /// or seeds): the mean over queries is the set-up's accuracy. Queries in item order.
    /// </summary>
    public IReadOnlyList<double[]> ByQuery { get; init; } = [];

    /// <summary>|acc(pos-same) − acc(neg-same)|: how much sharing the query's processing pulls neighbours.</summary>
    public double DistractionScore => Math.Abs(PosSame.Mean - NegSame.Mean);

    public IReadOnlyList<KnnSetupAccuracy> Setups => [AllSame, PosSame, NegSame, AllDiff, Uniform];
}

/// <summary>
/// kNN classification of semantic classes when queries and database carry chosen processings.
/// </summary>
/// <remarks>
/// For each test processing p the queries (under p) are compared once with every database item under
/// every processing; each set-up then only chooses, per (query, item), which processing's similarity
/// to use, and feeds its own bounded top-k heap. So all 1 + 3(P−1) + seeds set-ups of one p cost one
/// blocked similarity pass, and nothing of size queries × database is ever held.
/// </remarks>
public static class KnnInfluence
{
    /// <summary>
    /// Evaluates the five set-ups.
    /// </summary>
    /// <param name="embeddings">L2-normalised embeddings [items × processings, dim], item-major: row item·P + processing.</param>
    /// <param name="items">Source items (photos).</param>
    /// <param name="processings">P, the processing task's classes (at least 2).</param>
    /// <param name="dim">Embedding dimension.</param>
    /// <param name="semanticLabels">The semantic class of each item, ≥ 0.</param>
    /// <param name="isQuery">True for query items; the others form the database, so a query never meets its own item.</param>
    public static KnnInfluenceResult Evaluate(
        ReadOnlySpan<float> embeddings, int items, int processings, int dim,
        ReadOnlySpan<int> semanticLabels, ReadOnlySpan<bool> isQuery, KnnOptions? options = null)
    {
        options ??= new KnnOptions();
        var P = processings;
        if (P < 2) throw new ArgumentOutOfRangeException(nameof(processings), P, "kNN influence needs at least two processings (p and some q ≠ p).");
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim), dim, "dim must be at least 1.");
        if (items < 0 || embeddings.Length != (long)items * P * dim)
            throw new ArgumentException($"embeddings has {embeddings.Length} floats; items × processings × dim = {items} × {P} × {dim}.", nameof(embeddings));
        if (semanticLabels.Length != items) throw new ArgumentException($"semanticLabels has {semanticLabels.Length} entries for {items} items.", nameof(semanticLabels));
        if (isQuery.Length != items) throw new ArgumentException($"isQuery has {isQuery.Length} entries for {items} items.", nameof(isQuery));
        if (options.K < 1) throw new ArgumentOutOfRangeException(nameof(options), options.K, "K must be at least 1.");
        if (options.UniformSeeds < 1) throw new ArgumentOutOfRangeException(nameof(options), options.UniformSeeds, "UniformSeeds must be at least 1.");

        var nq = 0;
        foreach (var q in isQuery) if (q) nq++;
        var nd = items - nq;
        if (nq == 0 || nd == 0) throw new ArgumentException($"Need both query and database items; got {nq} queries and {nd} database items.", nameof(isQuery));
        var k = Math.Min(options.K, nd);

        // Gather: queries per processing [P][nq, dim]; database item-major [nd × P, dim].
        var queries = new float[(long)P * nq * dim];
        var database = new float[(long)nd * P * dim];
        var queryLabels = new int[nq];
        var dbLabels = new int[nd];
        for (int item = 0, qi = 0, di = 0; item < items; item++)
        {
            var src = embeddings.Slice(item * P * dim, P * dim);
            if (semanticLabels[item] < 0) throw new ArgumentException($"semanticLabels[{item}] is negative.", nameof(semanticLabels));
            if (isQuery[item])
            {
                for (var p = 0; p < P; p++) src.Slice(p * dim, dim).CopyTo(queries.AsSpan((p * nq + qi) * dim, dim));
                queryLabels[qi++] = semanticLabels[item];
            }
            else
            {
                src.CopyTo(database.AsSpan(di * P * dim, P * dim));
                dbLabels[di++] = semanticLabels[item];
            }
        }

        // The uniform set-up's processing of each database item, per seed (shared by every p).
        var seeds = options.UniformSeeds;
        var assignment = new int[seeds * nd];
        for (var t = 0; t < seeds; t++) UniformAssignment(options.Seed, t, P, assignment.AsSpan(t * nd, nd));

        var slots = Slots.Count(P, seeds);
        var blocks = (nq + CosineKnn.QueryBlock - 1) / CosineKnn.QueryBlock;
        var correct = new int[P * blocks * slots];
        // Per (p, query, slot): 1 when that query's vote was right. Each (p, block) task writes its own entries.
        var queryCorrect = new byte[(long)P * nq * slots];
        unsafe
        {
            fixed (float* qp = queries, dp = database)
            {
                var job = new InfluenceJob((nint)qp, nq, (nint)dp, nd, P, dim, k, seeds, queryLabels, dbLabels, assignment, blocks, slots, correct, queryCorrect);
                Parallel.For(0, P * blocks, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }, job.Run);
            }
        }

        // Reduce integer counts (order-free, so thread count cannot change anything).
        var acc = new double[P * slots];
        for (var p = 0; p < P; p++)
            for (var s = 0; s < slots; s++)
            {
                var sum = 0;
                for (var b = 0; b < blocks; b++) sum += correct[(p * blocks + b) * slots + s];
                acc[p * slots + s] = (double)sum / nq;
            }

        var allSameBy = new double[P];
        var posBy = new double[P * P];
        var negBy = new double[P * P];
        var diffBy = new double[P * P];
        Array.Fill(posBy, double.NaN); Array.Fill(negBy, double.NaN); Array.Fill(diffBy, double.NaN);
        double allSame = 0, pos = 0, neg = 0, diff = 0;
        for (var p = 0; p < P; p++)
        {
            allSameBy[p] = acc[p * slots + Slots.AllSame];
            allSame += allSameBy[p];
            for (var q = 0; q < P; q++)
            {
                if (q == p) continue;
                var o = Slots.Other(p, q);
                posBy[p * P + q] = acc[p * slots + Slots.Pos(o)];
                negBy[p * P + q] = acc[p * slots + Slots.Neg(o)];
                diffBy[p * P + q] = acc[p * slots + Slots.Diff(o)];
                pos += posBy[p * P + q]; neg += negBy[p * P + q]; diff += diffBy[p * P + q];
            }
        }
        var pairs = P * (P - 1);
        var uniformBy = new double[seeds];
        for (var t = 0; t < seeds; t++)
        {
            var sum = 0.0;
            for (var p = 0; p < P; p++) sum += acc[p * slots + Slots.Uniform(P, t)];
            uniformBy[t] = sum / P;
        }
        var uMean = uniformBy.Average();
        var uVar = 0.0;
        foreach (var u in uniformBy) uVar += (u - uMean) * (u - uMean);

        // Per query: the same averages as the set-ups', over its own votes.
        var byQuery = Enumerable.Range(0, 5).Select(_ => new double[nq]).ToArray();
        for (var qi = 0; qi < nq; qi++)
            for (var p = 0; p < P; p++)
            {
                var row = queryCorrect.AsSpan((int)(((long)p * nq + qi) * slots), slots);
                byQuery[0][qi] += row[Slots.AllSame] / (double)P;
                for (var q = 0; q < P; q++)
                {
                    if (q == p) continue;
                    var o = Slots.Other(p, q);
                    byQuery[1][qi] += row[Slots.Pos(o)] / (double)pairs;
                    byQuery[2][qi] += row[Slots.Neg(o)] / (double)pairs;
                    byQuery[3][qi] += row[Slots.Diff(o)] / (double)pairs;
                }
                for (var t = 0; t < seeds; t++) byQuery[4][qi] += row[Slots.Uniform(P, t)] / (double)(P * seeds);
            }

        return new KnnInfluenceResult(
            k, nq, nd, P,
            new KnnSetupAccuracy(KnnSetup.AllSame, allSame / P, 0),
            new KnnSetupAccuracy(KnnSetup.PosSame, pos / pairs, 0),
            new KnnSetupAccuracy(KnnSetup.NegSame, neg / pairs, 0),
            new KnnSetupAccuracy(KnnSetup.AllDiff, diff / pairs, 0),
            new KnnSetupAccuracy(KnnSetup.Uniform, uMean, Math.Sqrt(uVar / seeds)),
            allSameBy, posBy, negBy, diffBy, uniformBy) { ByQuery = byQuery };
    }

    /// <summary>
    /// The uniform set-up's processing for each database item (in database order) under seed index
    /// <paramref name="seedIndex"/>: a stream of its own, derived from the run's seed.
    /// </summary>
    internal static void UniformAssignment(ulong seed, int seedIndex, int processings, Span<int> destination)
    {
        var rng = new SeededRandom(Seeds.Derive(seed, 0x6B6E6EUL /* "knn" */, (ulong)seedIndex));
        for (var j = 0; j < destination.Length; j++) destination[j] = rng.Next(processings);
    }

    /// <summary>Layout of one query's heaps: all-same, then (pos, neg, diff) per other processing, then one per seed.</summary>
    private static class Slots
    {
        public const int AllSame = 0;
        public static int Count(int processings, int seeds) => 1 + 3 * (processings - 1) + seeds;
        /// <summary>Index of q among the processings other than p.</summary>
        public static int Other(int p, int q) => q < p ? q : q - 1;
        public static int Pos(int other) => 1 + 3 * other;
        public static int Neg(int other) => 2 + 3 * other;
        public static int Diff(int other) => 3 + 3 * other;
        public static int Uniform(int processings, int seed) => 1 + 3 * (processings - 1) + seed;
    }

    private sealed unsafe class InfluenceJob(
        nint queries, int nq, nint database, int nd, int P, int dim, int k, int seeds,
        int[] queryLabels, int[] dbLabels, int[] assignment, int blocks, int slots, int[] correct, byte[] queryCorrect)
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public void Run(int task)
        {
            var p = task / blocks;
            var block = task % blocks;
            var q0 = block * CosineKnn.QueryBlock;
            var rows = Math.Min(CosineKnn.QueryBlock, nq - q0);
            // Whole items per chunk, so that one item's P rows are always together.
            var chunkItems = Math.Max(1, CosineKnn.DatabaseChunk / P);
            var chunkRows = chunkItems * P;

            var heapLen = rows * slots * k;
            var tile = ArrayPool<float>.Shared.Rent(rows * chunkRows);
            var heapSims = ArrayPool<float>.Shared.Rent(heapLen);
            var heapIdx = ArrayPool<int>.Shared.Rent(heapLen);
            var counts = new int[rows * slots];
            // Per heap, the similarity below which a candidate cannot enter (its root once full): the
            // cheap test that rejects almost every offer without touching the heap.
            var floor = new float[rows * slots];
            Array.Fill(floor, float.NegativeInfinity);
            var labels = new int[k];
            try
            {
                fixed (float* tp = tile)
                {
                    var q = (float*)queries + ((long)p * nq + q0) * dim;
                    for (var j0 = 0; j0 < nd; j0 += chunkItems)
                    {
                        var ci = Math.Min(chunkItems, nd - j0);
                        SimilarityKernel.Compute(q, rows, (float*)database + (long)j0 * P * dim, ci * P, dim, tp, chunkRows);
                        for (var i = 0; i < rows; i++)
                        {
                            var label = queryLabels[q0 + i];
                            var row = tp + (long)i * chunkRows;
                            var heaps = i * slots;
                            for (var jj = 0; jj < ci; jj++)
                            {
                                var j = j0 + jj;
                                var s = row + jj * P;
                                var same = dbLabels[j] == label;
                                var sp = s[p];
                                Offer(heaps + Slots.AllSame, sp, j, heapSims, heapIdx, counts, floor);
                                for (var qq = 0; qq < P; qq++)
                                {
                                    if (qq == p) continue;
                                    var o = Slots.Other(p, qq);
                                    var sq = s[qq];
                                    Offer(heaps + Slots.Pos(o), same ? sp : sq, j, heapSims, heapIdx, counts, floor);
                                    Offer(heaps + Slots.Neg(o), same ? sq : sp, j, heapSims, heapIdx, counts, floor);
                                    Offer(heaps + Slots.Diff(o), sq, j, heapSims, heapIdx, counts, floor);
                                }
                                for (var t = 0; t < seeds; t++)
                                    Offer(heaps + Slots.Uniform(P, t), s[assignment[t * nd + j]], j, heapSims, heapIdx, counts, floor);
                            }
                        }
                    }
                }

                var outRow = correct.AsSpan((p * blocks + block) * slots, slots);
                for (var i = 0; i < rows; i++)
                    for (var slot = 0; slot < slots; slot++)
                    {
                        var h = (i * slots + slot);
                        var heap = CosineKnn.Resume(heapSims.AsSpan(h * k, k), heapIdx.AsSpan(h * k, k), counts[h]);
                        var n = heap.SortBestFirst();
                        for (var a = 0; a < n; a++) labels[a] = dbLabels[heapIdx[h * k + a]];
                        if (CosineKnn.Vote(labels.AsSpan(0, n), heapSims.AsSpan(h * k, n)) == queryLabels[q0 + i])
                        {
                            outRow[slot]++;
                            queryCorrect[((long)p * nq + q0 + i) * slots + slot] = 1;
                        }
                    }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(tile);
                ArrayPool<float>.Shared.Return(heapSims);
                ArrayPool<int>.Shared.Return(heapIdx);
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private void Offer(int heap, float sim, int index, float[] sims, int[] idx, int[] counts, float[] floor)
        {
            if (sim < floor[heap]) return;
            OfferSlow(heap, sim, index, sims, idx, counts, floor);
        }

        private void OfferSlow(int heap, float sim, int index, float[] sims, int[] idx, int[] counts, float[] floor)
        {
            var h = CosineKnn.Resume(sims.AsSpan(heap * k, k), idx.AsSpan(heap * k, k), counts[heap]);
            h.Offer(sim, index);
            counts[heap] = h.Count;
            if (h.Count == k) floor[heap] = sims[heap * k];
        }
    }
}
