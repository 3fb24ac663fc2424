using System.Numerics.Tensors;

namespace TraceProbe.Probes;

/// <summary>Per-row pieces of softmax regression, built on <see cref="TensorPrimitives"/>.</summary>
internal static class SoftmaxKernels
{
    /// <summary>z[c] = w[c,:]·row + b[c], with w row-major [z.Length, row.Length].</summary>
    public static void Logits(ReadOnlySpan<float> row, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> z)
    {
        var dim = row.Length;
        for (var c = 0; c < z.Length; c++)
            z[c] = TensorPrimitives.Dot(row, w.Slice(c * dim, dim)) + b[c];
    }

    /// <summary>
    /// Cross-entropy of logits <paramref name="z"/> against <paramref name="label"/>; on return z holds the
    /// gradient with respect to the logits, softmax(z) − onehot(label).
    /// </summary>
    public static double SoftmaxCrossEntropy(Span<float> z, int label)
    {
        // Shift by the maximum so that exp never overflows.
        var max = TensorPrimitives.Max(z);
        TensorPrimitives.Subtract(z, max, z);
        var shiftedLabel = z[label];
        TensorPrimitives.Exp(z, z);
        var sum = TensorPrimitives.Sum(z);
        TensorPrimitives.Multiply(z, 1f / sum, z);
        z[label] -= 1f;
        return Math.Log(sum) - shiftedLabel;
    }

    /// <summary>
    /// <see cref="SoftmaxCrossEntropy"/> for a row-major [labels.Length, classes] block, returning the summed
    /// loss. One vectorised Exp covers the whole block; the per-row max and sum are plain loops because with
    /// a handful of classes a call per row costs more than the work.
    /// </summary>
    public static double SoftmaxCrossEntropyRows(Span<float> z, int classes, ReadOnlySpan<int> labels)
    {
        var rows = labels.Length;
        var shiftedLabel = rows <= 64 ? stackalloc float[rows] : new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var zr = z.Slice(r * classes, classes);
            var max = float.NegativeInfinity;
            foreach (var v in zr)
                max = MathF.Max(max, v);
            for (var c = 0; c < zr.Length; c++)
                zr[c] -= max;
            shiftedLabel[r] = zr[labels[r]];
        }

        var block = z[..(rows * classes)];
        TensorPrimitives.Exp(block, block);
        double loss = 0;
        for (var r = 0; r < rows; r++)
        {
            var zr = z.Slice(r * classes, classes);
            float sum = 0;
            foreach (var v in zr)
                sum += v;
            var inverse = 1f / sum;
            for (var c = 0; c < zr.Length; c++)
                zr[c] *= inverse;
            zr[labels[r]] -= 1f;
            loss += Math.Log(sum) - shiftedLabel[r];
        }

        return loss;
    }

    /// <summary>g[c,:] += coef[c]·row, with g row-major [coef.Length, row.Length].</summary>
    public static void AddOuter(ReadOnlySpan<float> coef, ReadOnlySpan<float> row, Span<float> g)
    {
        var dim = row.Length;
        for (var c = 0; c < coef.Length; c++)
        {
            var gc = g.Slice(c * dim, dim);
            TensorPrimitives.MultiplyAdd(row, coef[c], gc, gc);
        }
    }

    /// <summary>Index of the largest value, the lowest among ties; NaN never wins.</summary>
    public static int ArgMax(ReadOnlySpan<float> z)
    {
        var best = 0;
        var bestValue = float.NegativeInfinity;
        for (var c = 0; c < z.Length; c++)
        {
            if (z[c] > bestValue)
            {
                bestValue = z[c];
                best = c;
            }
        }

        return best;
    }

    public static int RowCount(int length, int dim, string name)
    {
        if (dim <= 0)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, "The embedding dimension must be positive.");
        if (length % dim != 0)
            throw new ArgumentException($"{name} has {length} values, not a multiple of the dimension {dim}.", name);
        return length / dim;
    }
}
