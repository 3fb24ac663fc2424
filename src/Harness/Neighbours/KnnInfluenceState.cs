namespace TraceProbe.Neighbours;

/// <summary>
/// The resumable state of a kNN influence run, kept in one small file: how many (p, query block, q)
/// passes are done, the correct-query counts so far, and the lists the current (p, query block) still
/// needs (own/other under p, the seeds' running lists). Written after every pass to a temporary file and
/// renamed into place, so a killed run leaves the last whole state; a file from a different run (other
/// inputs, k, seeds or blocking) is ignored and replaced.
/// </summary>
internal sealed class KnnInfluenceState
{
    private const string Magic = "traceprobe.knn-state/1";
    private readonly string? _path;
    private readonly string _fingerprint;
    private readonly int _processings;
    private readonly TopKHeaps _same;
    private readonly TopKHeaps _uniform;
    private long _next;
    private (int P, int Block) _listsOf = (-1, -1);
    private int _queryBlocks = -1;

    private KnnInfluenceState(string? path, string fingerprint, int correctLength, int processings, int blockRows, int seeds, int k)
    {
        _path = path;
        _fingerprint = fingerprint;
        _processings = processings;
        Correct = new long[correctLength];
        _same = new TopKHeaps(2 * blockRows, k);
        _uniform = new TopKHeaps(seeds * blockRows, k);
    }

    public long[] Correct { get; }

    /// <summary>Passes already done when the run started (0 unless resumed).</summary>
    public long ResumedPasses { get; private set; }

    public static KnnInfluenceState Start(string? path, string fingerprint, int correctLength, int processings, int blockRows, int seeds, int k)
    {
        var state = new KnnInfluenceState(path, fingerprint, correctLength, processings, blockRows, seeds, k);
        if (path is not null && File.Exists(path)) state.TryLoad(path);
        return state;
    }

    private long Linear(int p, int block, int step) => ((long)p * _queryBlocks + block) * _processings + step;

    /// <summary>Sets how many query blocks a processing has (needed to number the passes).</summary>
    public void Layout(int queryBlocks) => _queryBlocks = queryBlocks;

    public bool IsDone(int p, int block, int step) => Linear(p, block, step) < _next;

    /// <summary>The lists kept across the passes of (p, block): restored when resuming inside it, else empty.</summary>
    public (TopKHeaps Same, TopKHeaps Uniform) ListsFor(int p, int block)
    {
        if (_listsOf != (p, block))
        {
            _same.Clear();
            _uniform.Clear();
            _listsOf = (p, block);
        }
        return (_same, _uniform);
    }

    public void Completed(int p, int block, int step)
    {
        _next = Linear(p, block, step) + 1;
        if (_path is null) return;
        var tmp = _path + ".tmp";
        using (var w = new BinaryWriter(File.Create(tmp)))
        {
            w.Write(Magic);
            w.Write(_fingerprint);
            w.Write(_next);
            w.Write(p);
            w.Write(block);
            foreach (var c in Correct) w.Write(c);
            Write(w, _same);
            Write(w, _uniform);
        }
        File.Move(tmp, _path, overwrite: true);
    }

    private static void Write(BinaryWriter w, TopKHeaps heaps)
    {
        var (sims, indices, counts) = heaps.Raw;
        w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(counts.AsSpan()));
        w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(sims.AsSpan()));
        w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(indices.AsSpan()));
    }

    private static void Read(BinaryReader r, TopKHeaps heaps)
    {
        var (sims, indices, counts) = heaps.Raw;
        r.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(counts.AsSpan()));
        r.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(sims.AsSpan()));
        r.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(indices.AsSpan()));
    }

    private void TryLoad(string path)
    {
        try
        {
            using var r = new BinaryReader(File.OpenRead(path));
            if (r.ReadString() != Magic || r.ReadString() != _fingerprint) return;
            var next = r.ReadInt64();
            var listsOf = (r.ReadInt32(), r.ReadInt32());
            for (var i = 0; i < Correct.Length; i++) Correct[i] = r.ReadInt64();
            Read(r, _same);
            Read(r, _uniform);
            _next = next;
            _listsOf = listsOf;
            ResumedPasses = next;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
        {
            // A truncated or foreign file: start afresh (it is replaced after the first pass).
            Array.Clear(Correct);
            _next = 0;
            _listsOf = (-1, -1);
        }
    }
}
