using System.Numerics.Tensors;

namespace TraceProbe.Erasure;

/// <summary>
/// Closed-form linear concept erasure (LEACE, Belrose et al. 2023) of a trace from embeddings:
/// r(x) = x − W⁺ P W (x − μ), with W = Σ^(−1/2) the whitening of the training covariance, W⁺ its
/// pseudo-inverse and P the orthogonal projection onto span{W(μ_c − μ)}, the whitened class-mean
/// differences (the span of the whitened cross-covariance with the one-hot trace labels).
/// After it every trace class has the same mean on the training data, so no linear classifier can beat
/// a constant one there, and among all such erasers it moves the embeddings least (in the Σ norm).
/// </summary>
/// <remarks>
/// The map is stored in its low-rank form W⁺U · (WU)ᵀ, with U an orthonormal basis of rank
/// r ≤ classes − 1, so that applying it costs 2·r·dim per row instead of dim².
/// Erased embeddings are no longer unit-length; callers that need cosine similarity re-normalise.
/// </remarks>
public sealed class TraceEraser
{
    private readonly float[] _mean;      // μ
    private readonly float[] _readout;   // rows (WU)ᵀ: the coordinates of x − μ to remove
    private readonly float[] _writeback; // rows (W⁺U)ᵀ: the directions they are removed along

    private TraceEraser(int dim, int rank, float[] mean, float[] readout, float[] writeback)
    {
        Dim = dim; Rank = rank; _mean = mean; _readout = readout; _writeback = writeback;
    }

    public int Dim { get; }

    /// <summary>Dimension of the erased subspace (at most classes − 1).</summary>
    public int Rank { get; }

    /// <summary>Fits the eraser on training embeddings x [n, dim] and their trace labels y ∈ [0, classes).</summary>
    public static TraceEraser Fit(ReadOnlySpan<float> x, ReadOnlySpan<int> y, int dim, int classes)
    {
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim), dim, "dim must be at least 1.");
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "classes must be at least 1.");
        var n = y.Length;
        if (x.Length != n * dim) throw new ArgumentException($"x has {x.Length} floats; labels × dim = {n} × {dim}.", nameof(x));
        if (n < 2) throw new ArgumentException("Fitting an eraser needs at least two training embeddings.", nameof(y));

        // Means, in double.
        var mean = new double[dim];
        var classSum = new double[classes * dim];
        var classCount = new int[classes];
        for (var i = 0; i < n; i++)
        {
            var c = y[i];
            if ((uint)c >= (uint)classes) throw new ArgumentException($"y[{i}] = {c} is outside [0, {classes}).", nameof(y));
            classCount[c]++;
            var row = x.Slice(i * dim, dim);
            for (var d = 0; d < dim; d++) { mean[d] += row[d]; classSum[c * dim + d] += row[d]; }
        }
        for (var d = 0; d < dim; d++) mean[d] /= n;

        var cov = Covariance(x, n, dim, mean);
        var (values, vectors) = SymmetricEigen.Decompose(cov, dim);

        // Directions with (numerically) no variance carry no class-mean difference either: leave them out.
        var cutoff = Math.Max(values[0], 0) * 1e-10;
        var rank = 0;
        while (rank < dim && values[rank] > cutoff && values[rank] > 0) rank++;

        // Whitened class-mean differences, then an orthonormal basis of their span (Gram–Schmidt twice).
        var basis = new List<double[]>();
        var diffs = new double[classes][];
        var largest = 0.0;
        for (var c = 0; c < classes; c++)
        {
            if (classCount[c] == 0) continue;
            var diff = new double[dim];
            for (var d = 0; d < dim; d++) diff[d] = classSum[c * dim + d] / classCount[c] - mean[d];
            diffs[c] = Transform(vectors, values, rank, dim, diff, -0.5);
            largest = Math.Max(largest, Norm(diffs[c]));
        }
        foreach (var v in diffs)
        {
            if (v is null) continue;
            var u = (double[])v.Clone();
            for (var pass = 0; pass < 2; pass++)
                foreach (var b in basis)
                {
                    var dot = Dot(u, b);
                    for (var d = 0; d < dim; d++) u[d] -= dot * b[d];
                }
            var norm = Norm(u);
            // Below this the vector is a combination of earlier ones (the weighted differences sum to zero).
            if (norm <= 1e-9 * largest || norm == 0) continue;
            for (var d = 0; d < dim; d++) u[d] /= norm;
            basis.Add(u);
        }

        var r = basis.Count;
        var readout = new float[r * dim];
        var writeback = new float[r * dim];
        for (var k = 0; k < r; k++)
        {
            var w = Transform(vectors, values, rank, dim, basis[k], -0.5);
            var wPlus = Transform(vectors, values, rank, dim, basis[k], +0.5);
            for (var d = 0; d < dim; d++) { readout[k * dim + d] = (float)w[d]; writeback[k * dim + d] = (float)wPlus[d]; }
        }
        var meanF = new float[dim];
        for (var d = 0; d < dim; d++) meanF[d] = (float)mean[d];
        return new TraceEraser(dim, r, meanF, readout, writeback);
    }

    /// <summary>Returns the erased copy of x [n, dim].</summary>
    public float[] Apply(ReadOnlySpan<float> x)
    {
        var result = new float[x.Length];
        Apply(x, result);
        return result;
    }

    /// <summary>Writes the erased x [n, dim] to destination (which may be x itself).</summary>
    public void Apply(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (x.Length % Dim != 0) throw new ArgumentException($"x has {x.Length} floats, not a multiple of dim = {Dim}.", nameof(x));
        if (destination.Length != x.Length) throw new ArgumentException("destination must have the length of x.", nameof(destination));
        var centred = Dim <= 2048 ? stackalloc float[Dim] : new float[Dim];
        var coords = Rank <= 256 ? stackalloc float[Rank] : new float[Rank];
        for (var i = 0; i < x.Length / Dim; i++)
        {
            var row = x.Slice(i * Dim, Dim);
            TensorPrimitives.Subtract(row, _mean, centred);
            for (var k = 0; k < Rank; k++) coords[k] = TensorPrimitives.Dot(centred, _readout.AsSpan(k * Dim, Dim));
            var dst = destination.Slice(i * Dim, Dim);
            row.CopyTo(dst);
            for (var k = 0; k < Rank; k++) TensorPrimitives.MultiplyAdd(_writeback.AsSpan(k * Dim, Dim), -coords[k], dst, dst);
        }
    }

    /// <summary>Σ = (1/n) Σᵢ (xᵢ − μ)(xᵢ − μ)ᵀ in double, over column-major chunks so each entry is a contiguous dot.</summary>
    private static double[] Covariance(ReadOnlySpan<float> x, int n, int dim, double[] mean)
    {
        const int chunk = 256;
        var cov = new double[dim * dim];
        var cols = new double[dim * chunk];
        for (var i0 = 0; i0 < n; i0 += chunk)
        {
            var rows = Math.Min(chunk, n - i0);
            for (var i = 0; i < rows; i++)
                for (var d = 0; d < dim; d++) cols[d * chunk + i] = x[(i0 + i) * dim + d] - mean[d];
            for (var a = 0; a < dim; a++)
            {
                var ca = cols.AsSpan(a * chunk, rows);
                for (var b = a; b < dim; b++) cov[a * dim + b] += TensorPrimitives.Dot<double>(ca, cols.AsSpan(b * chunk, rows));
            }
        }
        for (var a = 0; a < dim; a++)
            for (var b = a; b < dim; b++)
            {
                var v = cov[a * dim + b] / n;
                cov[a * dim + b] = v;
                cov[b * dim + a] = v;
            }
        return cov;
    }

    /// <summary>V·diag(λ^power)·Vᵀ·v over the leading <paramref name="rank"/> eigenpairs.</summary>
    private static double[] Transform(double[] vectorsAsRows, double[] values, int rank, int dim, double[] v, double power)
    {
        var result = new double[dim];
        for (var m = 0; m < rank; m++)
        {
            var e = vectorsAsRows.AsSpan(m * dim, dim);
            var coef = TensorPrimitives.Dot<double>(e, v) * Math.Pow(values[m], power);
            for (var d = 0; d < dim; d++) result[d] += coef * e[d];
        }
        return result;
    }

    private static double Dot(double[] a, double[] b) => TensorPrimitives.Dot<double>(a, b);
    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));
}
