using System.Numerics.Tensors;
using System.Runtime.Intrinsics.X86;

namespace TraceProbe.Probes;

/// <summary>
/// Sums of cross-entropy and its gradient over a list of rows of pinned data. Rows are cut into fixed
/// chunks whatever the thread count, each chunk writes its own partial sums, and the partials are added in
/// chunk order, so results are bit-identical for any number of threads.
/// Parameters are one vector: weights [classes, dim] then bias [classes].
/// </summary>
internal sealed unsafe class SoftmaxObjective
{
    /// <summary>Rows per chunk: enough work to amortise scheduling, small enough to balance two cores.</summary>
    public const int ChunkRows = 256;

    private readonly float* _x;
    private readonly int[] _y;
    private readonly ParallelOptions _parallel;
    private float[] _partials = [];
    private double[] _chunkLoss = [];

    /// <param name="x">Pinned row-major [rows, dim]; must stay pinned while this object is used.</param>
    public SoftmaxObjective(float* x, int[] y, int dim, int classes, int threads)
    {
        _x = x;
        _y = y;
        Dim = dim;
        Classes = classes;
        Threads = threads;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
    }

    public int Dim { get; }

    public int Classes { get; }

    public int Threads { get; }

    public int ParameterCount => Classes * (Dim + 1);

    /// <summary>All rows of the data (a fit may use a subset of them).</summary>
    public int RowCountTotal => _y.Length;

    /// <summary>Mean loss over all rows of x, mean gradient into <paramref name="gradient"/> (for checks and tools).</summary>
    public static double MeanLossAndGradient(ReadOnlySpan<float> x, int[] y, int dim, int classes, float[] parameters, float[] gradient, int threads)
    {
        fixed (float* px = x)
        {
            var objective = new SoftmaxObjective(px, y, dim, classes, threads);
            var loss = objective.LossAndGradientSum(parameters, Enumerable.Range(0, y.Length).ToArray(), 0, y.Length, gradient);
            TensorPrimitives.Multiply(gradient, 1f / y.Length, gradient);
            return loss / y.Length;
        }
    }

    public ReadOnlySpan<float> Row(int i) => new(_x + (long)i * Dim, Dim);

    /// <summary>
    /// Returns Σ loss over rows[start..start+count) and writes Σ gradient into <paramref name="gradient"/>.
    /// </summary>
    public double LossAndGradientSum(float[] parameters, int[] rows, int start, int count, float[] gradient)
    {
        var p = ParameterCount;
        var chunks = (count + ChunkRows - 1) / ChunkRows;
        if (_chunkLoss.Length < chunks)
        {
            _chunkLoss = new double[chunks];
            _partials = new float[(long)chunks * p];
        }

        if (Threads == 1 || chunks == 1)
        {
            for (var k = 0; k < chunks; k++)
                RunChunk(k, parameters, rows, start, count);
        }
        else
        {
            Parallel.For(0, chunks, _parallel, k => RunChunk(k, parameters, rows, start, count));
        }

        // Fixed-order reduction: the same sums whatever thread ran which chunk.
        double loss = 0;
        Array.Copy(_partials, 0, gradient, 0, p);
        loss += _chunkLoss[0];
        for (var k = 1; k < chunks; k++)
        {
            TensorPrimitives.Add(gradient.AsSpan(0, p), _partials.AsSpan(k * p, p), gradient.AsSpan(0, p));
            loss += _chunkLoss[k];
        }

        return loss;
    }

    private void RunChunk(int k, float[] parameters, int[] rows, int start, int count)
    {
        var p = ParameterCount;
        var first = start + k * ChunkRows;
        var n = Math.Min(ChunkRows, start + count - first);
        var g = _partials.AsSpan(k * p, p);
        g.Clear();
        _chunkLoss[k] = ChunkLossAndGradient(parameters, rows.AsSpan(first, n), g);
    }

    private double ChunkLossAndGradient(ReadOnlySpan<float> parameters, ReadOnlySpan<int> rows, Span<float> g)
    {
        int dim = Dim, classes = Classes;
        var w = parameters[..(classes * dim)];
        var b = parameters.Slice(classes * dim, classes);
        var gw = g[..(classes * dim)];
        var gb = g.Slice(classes * dim, classes);
        // Logits of a group of blocks, one softmax over the group (a vectorised Exp over a handful of values per
        // call costs more than the work), then the group's gradient while its rows are still in cache.
        const int Group = 8 * BlockKernels.Rows;
        var groupValues = Group * classes;
        var z = groupValues <= 2048 ? stackalloc float[groupValues] : new float[groupValues];
        Span<int> labels = stackalloc int[Group];
        double loss = 0;
        var full = rows.Length - rows.Length % BlockKernels.Rows;
        for (var first = 0; first < full; first += Group)
        {
            var count = Math.Min(Group, full - first);
            for (var r = 0; r < count; r += BlockKernels.Rows)
            {
                var i = first + r;
                // The next block's rows, fetched while this block computes: on rows streamed from memory the
                // logits ran 4× slower than on cached rows; the hint gained about a tenth of a pass.
                for (var ahead = i + BlockKernels.Rows; ahead < Math.Min(full, i + 2 * BlockKernels.Rows); ahead++)
                    Prefetch(rows[ahead]);
                BlockKernels.Logits(Row(rows[i]), Row(rows[i + 1]), Row(rows[i + 2]), Row(rows[i + 3]), w, b, z.Slice(r * classes, BlockKernels.Rows * classes));
            }

            for (var r = 0; r < count; r++)
                labels[r] = _y[rows[first + r]];
            var zGroup = z[..(count * classes)];
            loss += SoftmaxKernels.SoftmaxCrossEntropyRows(zGroup, classes, labels[..count]);
            for (var r = 0; r < count; r++)
                TensorPrimitives.Add(gb, zGroup.Slice(r * classes, classes), gb);
            for (var r = 0; r < count; r += BlockKernels.Rows)
            {
                var i = first + r;
                BlockKernels.AddOuter(zGroup.Slice(r * classes, BlockKernels.Rows * classes), Row(rows[i]), Row(rows[i + 1]), Row(rows[i + 2]), Row(rows[i + 3]), gw, classes);
            }
        }

        // The last rows that do not fill a block.
        var zr = z[..classes];
        for (var r = full; r < rows.Length; r++)
        {
            var row = Row(rows[r]);
            SoftmaxKernels.Logits(row, w, b, zr);
            loss += SoftmaxKernels.SoftmaxCrossEntropy(zr, _y[rows[r]]);
            SoftmaxKernels.AddOuter(zr, row, gw);
            TensorPrimitives.Add(gb, zr, gb);
        }

        return loss;
    }

    /// <summary>Asks the cache for row i ahead of its use; a hint, a no-op where the hardware offers none.</summary>
    private void Prefetch(int i)
    {
        if (!Sse.IsSupported)
            return;
        var start = (byte*)(_x + (long)i * Dim);
        for (long offset = 0; offset < (long)Dim * sizeof(float); offset += 64)
            Sse.Prefetch0(start + offset);
    }

    /// <summary>Share of rows[..] whose predicted class equals the label.</summary>
    public double Top1(float[] parameters, int[] rows)
    {
        if (rows.Length == 0)
            return double.NaN;
        var chunks = (rows.Length + ChunkRows - 1) / ChunkRows;
        var correct = new int[chunks];
        Action<int> body = k =>
        {
            var first = k * ChunkRows;
            var n = Math.Min(ChunkRows, rows.Length - first);
            ReadOnlySpan<float> w = parameters.AsSpan(0, Classes * Dim);
            ReadOnlySpan<float> b = parameters.AsSpan(Classes * Dim, Classes);
            var z = Classes <= 256 ? stackalloc float[Classes] : new float[Classes];
            var hits = 0;
            foreach (var i in rows.AsSpan(first, n))
            {
                SoftmaxKernels.Logits(Row(i), w, b, z);
                if (SoftmaxKernels.ArgMax(z) == _y[i])
                    hits++;
            }

            correct[k] = hits;
        };
        if (Threads == 1 || chunks == 1)
        {
            for (var k = 0; k < chunks; k++)
                body(k);
        }
        else
        {
            Parallel.For(0, chunks, _parallel, body);
        }

        long total = 0;
        foreach (var c in correct)
            total += c;
        return (double)total / rows.Length;
    }
}
