using System.Numerics;
using System.Runtime.CompilerServices;

namespace TraceProbe.Neighbours;

/// <summary>Where a query's candidates go: the kNN classifier's single heap, or the influence pass's lists.</summary>
internal unsafe interface ICandidateSink
{
    /// <summary>
    /// Bit c set when similarity sims[c] (database index firstIndex + c, c &lt; count ≤ 64) might enter one of
    /// the query's lists: the cheap vector test that rejects almost every candidate.
    /// </summary>
    ulong Candidates(int query, float* sims, int count, int firstIndex);

    /// <summary>A candidate at or above the threshold.</summary>
    void Offer(int query, float similarity, int databaseIndex);
}

/// <summary>
/// Queries against one packed database block: parallel over query blocks, each micro-tile's 6 × 64
/// similarities filtered while still in L1 (a few vector compares per 16 candidates against the query's
/// thresholds) and the few survivors handed to the sink. No similarity matrix is ever stored.
/// </summary>
internal static unsafe class BlockedSimilarity
{
    /// <summary>Query rows per parallel work item: 16 micro-tiles, small enough for L2 beside one panel.</summary>
    public const int QueryBlock = 16 * SimilarityKernel.TileRows;

    /// <summary>Database rows packed at once: 64 panels, a few MB, shared by every thread.</summary>
    public const int DatabaseBlock = 64 * PackedRows.PanelRows;

    /// <summary>Runs queries [0, nq) (row-major at <paramref name="queries"/>) against the block; its row r is database index firstIndex + r.</summary>
    public static void Run<TSink>(float* queries, int nq, PackedRows block, int firstIndex, int maxDegreeOfParallelism, TSink sink)
        where TSink : ICandidateSink
    {
        var blocks = (nq + QueryBlock - 1) / QueryBlock;
        var job = new Job<TSink>((nint)queries, nq, block, firstIndex, sink);
        if (blocks == 1 || maxDegreeOfParallelism == 1)
            for (var b = 0; b < blocks; b++) job.Run(b);
        else
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, job.Run);
    }

    private sealed class Job<TSink>(nint queries, int nq, PackedRows block, int firstIndex, TSink sink) where TSink : ICandidateSink
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int queryBlock)
        {
            var q0 = queryBlock * QueryBlock;
            var rows = Math.Min(QueryBlock, nq - q0);
            var dim = block.Dim;
            var tile = stackalloc float[SimilarityKernel.TileRows * PackedRows.PanelRows + 16];
            tile = (float*)(((nint)tile + 63) & ~(nint)63);
            for (var panel = 0; panel < block.Panels; panel++)
            {
                var p = block.Panel(panel);
                var valid = block.RowsIn(panel);
                var first = firstIndex + panel * PackedRows.PanelRows;
                for (var i0 = 0; i0 < rows; i0 += SimilarityKernel.TileRows)
                {
                    var n = Math.Min(SimilarityKernel.TileRows, rows - i0);
                    SimilarityKernel.Tile((float*)queries + (long)(q0 + i0) * dim, n, dim, p, tile);
                    for (var i = 0; i < n; i++)
                    {
                        var query = q0 + i0 + i;
                        var row = tile + i * PackedRows.PanelRows;
                        var mask = sink.Candidates(query, row, valid, first);
                        while (mask != 0)
                        {
                            var c = BitOperations.TrailingZeroCount(mask);
                            sink.Offer(query, row[c], first + c);
                            mask &= mask - 1;
                        }
                    }
                }
            }
        }
    }
}
