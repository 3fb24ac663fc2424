using System.Runtime.InteropServices;

namespace TraceProbe.Neighbours;

/// <summary>
/// A block of database rows laid out for <see cref="SimilarityKernel"/>: panels of
/// <see cref="PanelRows"/> rows stored dimension-major (panel[t · 64 + c] = row c's value t), so that the
/// kernel loads 64 rows' values of one dimension as four contiguous vectors. Missing rows of the last
/// panel are zero. Packed once per block and shared read-only by every thread, so its cost is spread over
/// all queries.
/// </summary>
internal sealed unsafe class PackedRows : IDisposable
{
    public const int PanelRows = 64;

    private float* _data;
    private long _capacity;

    public int Rows { get; private set; }
    public int Dim { get; private set; }
    public int Panels => (Rows + PanelRows - 1) / PanelRows;

    /// <summary>Panel <paramref name="panel"/>: dim × 64 floats, 64-byte aligned.</summary>
    public float* Panel(int panel) => _data + (long)panel * Dim * PanelRows;

    /// <summary>Rows valid in panel <paramref name="panel"/> (64 except perhaps in the last).</summary>
    public int RowsIn(int panel) => Math.Min(PanelRows, Rows - panel * PanelRows);

    /// <summary>Packs <paramref name="rows"/> ([count, dim], row-major), reusing this block's memory.</summary>
    public void Pack(ReadOnlySpan<float> rows, int count, int dim)
    {
        if (rows.Length < (long)count * dim) throw new ArgumentException($"rows has {rows.Length} floats, fewer than {count} × {dim}.", nameof(rows));
        Rows = count;
        Dim = dim;
        var need = (long)Panels * dim * PanelRows;
        if (need > _capacity)
        {
            if (_data != null) NativeMemory.AlignedFree(_data);
            _data = (float*)NativeMemory.AlignedAlloc((nuint)(Math.Max(need, 1) * sizeof(float)), 64);
            _capacity = need;
        }
        fixed (float* src = rows)
        {
            for (var panel = 0; panel < Panels; panel++)
            {
                var dst = Panel(panel);
                var valid = RowsIn(panel);
                if (valid < PanelRows) new Span<float>(dst, dim * PanelRows).Clear();
                // A transpose in 64-row strips: reads are sequential along each row.
                for (var c = 0; c < valid; c++)
                {
                    var row = src + (long)(panel * PanelRows + c) * dim;
                    for (var t = 0; t < dim; t++) dst[t * PanelRows + c] = row[t];
                }
            }
        }
    }

    public void Dispose()
    {
        if (_data != null) NativeMemory.AlignedFree(_data);
        _data = null;
        _capacity = 0;
    }

    ~PackedRows() => Dispose();
}
