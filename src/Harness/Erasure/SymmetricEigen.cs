namespace TraceProbe.Erasure;

/// <summary>
/// Eigendecomposition of a small dense symmetric matrix by cyclic Jacobi rotations, in double.
/// </summary>
/// <remarks>
/// Hand-written because no well-kept .NET linear-algebra library is available to this project
/// (System.Numerics.Tensors has no decompositions; ONNX Runtime has no eigen operator), and the
/// eraser needs only one d × d decomposition per fit (d ≤ ~1024). Jacobi is chosen over
/// tridiagonalisation + QL for its short, easily checked code and its accuracy on small eigenvalues,
/// which matter here because whitening divides by their square roots.
/// </remarks>
public static class SymmetricEigen
{
    /// <summary>
    /// Decomposes the symmetric matrix <paramref name="a"/> (row-major [n, n], only read) as V·diag(λ)·Vᵀ.
    /// Returns eigenvalues in descending order and the eigenvectors as the rows of a row-major [n, n] array.
    /// </summary>
    public static (double[] Values, double[] VectorsAsRows) Decompose(ReadOnlySpan<double> a, int n, int maxSweeps = 60)
    {
        if (n < 0 || a.Length != n * n) throw new ArgumentException($"Expected an {n} × {n} matrix, got {a.Length} values.", nameof(a));
        var m = a.ToArray();
        var vt = new double[n * n];
        for (var i = 0; i < n; i++) vt[i * n + i] = 1;

        var scale = 0.0;
        foreach (var x in m) scale += x * x;
        // Stop once the off-diagonal mass is negligible against the whole matrix (at double precision).
        var tolerance = 1e-28 * scale;

        for (var sweep = 0; sweep < maxSweeps; sweep++)
        {
            var off = 0.0;
            for (var p = 0; p < n; p++)
                for (var q = p + 1; q < n; q++) off += m[p * n + q] * m[p * n + q];
            if (off <= tolerance || off == 0) break;

            for (var p = 0; p < n - 1; p++)
                for (var q = p + 1; q < n; q++)
                {
                    var apq = m[p * n + q];
                    if (apq == 0) continue;
                    double app = m[p * n + p], aqq = m[q * n + q];
                    // Already below rounding of the diagonal: zero it instead of rotating.
                    if (Math.Abs(apq) < 1e-18 * Math.Sqrt(Math.Abs(app * aqq)))
                    {
                        m[p * n + q] = m[q * n + p] = 0;
                        continue;
                    }
                    var theta = (aqq - app) / (2 * apq);
                    var t = (theta >= 0 ? 1.0 : -1.0) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    var c = 1 / Math.Sqrt(t * t + 1);
                    var s = t * c;
                    Rotate(m, vt, n, p, q, c, s);
                    m[p * n + p] = app - t * apq;
                    m[q * n + q] = aqq + t * apq;
                    m[p * n + q] = m[q * n + p] = 0;
                }
        }

        var values = new double[n];
        for (var i = 0; i < n; i++) values[i] = m[i * n + i];
        // Descending order, ties by original position, so the output is fully deterministic.
        var order = Enumerable.Range(0, n).OrderByDescending(i => values[i]).ThenBy(i => i).ToArray();
        var sortedValues = new double[n];
        var sortedVectors = new double[n * n];
        for (var r = 0; r < n; r++)
        {
            sortedValues[r] = values[order[r]];
            Array.Copy(vt, order[r] * n, sortedVectors, r * n, n);
        }
        return (sortedValues, sortedVectors);
    }

    /// <summary>Applies the rotation in the (p, q) plane to rows and columns p, q of m and to rows p, q of vt.</summary>
    private static void Rotate(double[] m, double[] vt, int n, int p, int q, double c, double s)
    {
        var rp = m.AsSpan(p * n, n);
        var rq = m.AsSpan(q * n, n);
        for (var k = 0; k < n; k++)
        {
            if (k == p || k == q) continue;
            double x = rp[k], y = rq[k];
            var nx = c * x - s * y;
            var ny = s * x + c * y;
            rp[k] = nx; rq[k] = ny;
            // Keep the matrix symmetric: the column entries mirror the rows just computed.
            m[k * n + p] = nx;
            m[k * n + q] = ny;
        }
        var vp = vt.AsSpan(p * n, n);
        var vq = vt.AsSpan(q * n, n);
        for (var k = 0; k < n; k++)
        {
            double x = vp[k], y = vq[k];
            vp[k] = c * x - s * y;
            vq[k] = s * x + c * y;
        }
    }
}
