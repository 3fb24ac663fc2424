using System.Runtime.CompilerServices;

namespace TraceProbe.Neighbours;

/// <summary>
/// A bounded min-heap of the k best (similarity, index) candidates of one query, on caller-owned
/// spans so that a query block holds all its heaps in one pooled buffer.
/// Order: a higher similarity is better; among equal similarities the smaller database index is better.
/// Because the rule is a total order on (similarity, index), the result does not depend on the order in
/// which candidates arrive, and so not on blocking or thread count.
/// </summary>
internal ref struct TopKHeap
{
    private readonly Span<float> _sims;
    private readonly Span<int> _indices;
    private int _count;

    /// <summary>A heap of capacity sims.Length over the spans, whose first <paramref name="count"/> entries already form a heap.</summary>
    public TopKHeap(Span<float> sims, Span<int> indices, int count = 0)
    {
        _sims = sims;
        _indices = indices;
        _count = count;
    }

    public readonly int Count => _count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Better(float s, int i, float t, int j) => s > t || (s == t && i < j);

    /// <summary>Offers a candidate; cheap rejection first, since almost every candidate is rejected.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Offer(float sim, int index)
    {
        if (_count == _sims.Length)
        {
            if (sim < _sims[0] || !Better(sim, index, _sims[0], _indices[0])) return;
            SiftDown(sim, index);
        }
        else
        {
            SiftUp(sim, index);
        }
    }

    private void SiftUp(float sim, int index)
    {
        var i = _count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            // The root holds the worst kept candidate: move the parent down while the new one is worse.
            if (!Better(_sims[parent], _indices[parent], sim, index)) break;
            _sims[i] = _sims[parent];
            _indices[i] = _indices[parent];
            i = parent;
        }
        _sims[i] = sim;
        _indices[i] = index;
    }

    private void SiftDown(float sim, int index)
    {
        var n = _count;
        var i = 0;
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= n) break;
            // Pick the worse child; it moves up if it is worse than the new candidate.
            if (child + 1 < n && Better(_sims[child], _indices[child], _sims[child + 1], _indices[child + 1])) child++;
            if (!Better(sim, index, _sims[child], _indices[child])) break;
            _sims[i] = _sims[child];
            _indices[i] = _indices[child];
            i = child;
        }
        _sims[i] = sim;
        _indices[i] = index;
    }

    /// <summary>Sorts the kept candidates best first (in place) and returns how many there are.</summary>
    public int SortBestFirst()
    {
        // Heap-sort: repeatedly move the worst to the end of the shrinking heap.
        var n = _count;
        for (var end = n - 1; end > 0; end--)
        {
            float s = _sims[end]; int ix = _indices[end];
            (_sims[end], _indices[end]) = (_sims[0], _indices[0]);
            _count = end;
            SiftDown(s, ix);
        }
        _count = n;
        return n;
    }
}
