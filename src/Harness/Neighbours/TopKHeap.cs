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
            var s = _sims[end]; var ix = _indices[end];
            (_sims[end], _indices[end]) = (_sims[0], _indices[0]);
            _count = end;
            SiftDown(s, ix);
        }
        _count = n;
        return n;
    }
}

/// <summary>
/// Many bounded top-k heaps (one per query and list) in flat arrays, with each heap's floor: the
/// similarity below which nothing can enter once it is full, the cheap test that rejects almost every
/// candidate. Heaps are independent, so threads may fill disjoint heaps at once.
/// </summary>
internal sealed class TopKHeaps
{
    private readonly float[] _sims;
    private readonly int[] _indices;
    private readonly int[] _counts;
    private readonly float[] _floors;

    public TopKHeaps(int heaps, int k)
    {
        Heaps = heaps;
        K = k;
        _sims = new float[(long)heaps * k];
        _indices = new int[(long)heaps * k];
        _counts = new int[heaps];
        _floors = new float[heaps];
        Array.Fill(_floors, float.NegativeInfinity);
    }

    public int Heaps { get; }
    public int K { get; }

    public void Clear()
    {
        Array.Clear(_counts);
        Array.Fill(_floors, float.NegativeInfinity);
    }

    /// <summary>Candidates below this similarity cannot enter heap <paramref name="heap"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Floor(int heap) => _floors[heap];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Offer(int heap, float sim, int index)
    {
        if (sim < _floors[heap]) return;
        OfferSlow(heap, sim, index);
    }

    private void OfferSlow(int heap, float sim, int index)
    {
        var h = new TopKHeap(_sims.AsSpan(heap * K, K), _indices.AsSpan(heap * K, K), _counts[heap]);
        h.Offer(sim, index);
        _counts[heap] = h.Count;
        if (h.Count == K) _floors[heap] = _sims[heap * K];
    }

    /// <summary>Sorts heap <paramref name="heap"/> best first; it is then a list, no longer a heap.</summary>
    public void SortBestFirst(int heap) =>
        new TopKHeap(_sims.AsSpan(heap * K, K), _indices.AsSpan(heap * K, K), _counts[heap]).SortBestFirst();

    public Span<float> Similarities(int heap) => _sims.AsSpan(heap * K, _counts[heap]);
    public Span<int> Indices(int heap) => _indices.AsSpan(heap * K, _counts[heap]);

    /// <summary>Stores a best-first list of at most K entries in slot <paramref name="heap"/> (as a list, not a heap).</summary>
    public void Set(int heap, ReadOnlySpan<float> sims, ReadOnlySpan<int> indices)
    {
        sims.CopyTo(_sims.AsSpan(heap * K, K));
        indices.CopyTo(_indices.AsSpan(heap * K, K));
        _counts[heap] = sims.Length;
    }

    /// <summary>
    /// Starts heap <paramref name="heap"/> from a best-first list (reversed, it is a valid heap: the worst at
    /// the root), so that a pass over further disjoint candidates continues that list's top-k.
    /// </summary>
    public void StartFrom(int heap, ReadOnlySpan<float> bestFirstSims, ReadOnlySpan<int> bestFirstIndices)
    {
        var n = bestFirstSims.Length;
        for (var a = 0; a < n; a++)
        {
            _sims[heap * K + a] = bestFirstSims[n - 1 - a];
            _indices[heap * K + a] = bestFirstIndices[n - 1 - a];
        }
        _counts[heap] = n;
        _floors[heap] = n == K ? _sims[heap * K] : float.NegativeInfinity;
    }

    /// <summary>The raw arrays, for the resumable state file.</summary>
    internal (float[] Sims, int[] Indices, int[] Counts) Raw => (_sims, _indices, _counts);
}
