namespace TraceProbe.Probes;

/// <summary>One point of a hyper-parameter search and the validation top-1 it reached.</summary>
public sealed record ProbeTrial(double Lambda, double LearningRate, double WeightDecay, double ValidationTop1, int Iterations);

/// <summary>The outcome of the paper's hyper-parameter search: the chosen point, its validation top-1, every trial.</summary>
public sealed record PaperSearch(double LearningRate, double WeightDecay, double ValidationTop1, IReadOnlyList<ProbeTrial> Trials);

/// <summary>A trained softmax-regression probe: logits = W·x + b.</summary>
public sealed class ProbeModel
{
    public ProbeModel(int dim, int classes, float[] weights, float[] bias)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dim);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (weights.Length != classes * dim)
            throw new ArgumentException($"weights has {weights.Length} values; expected classes×dim = {classes * dim}.", nameof(weights));
        if (bias.Length != classes)
            throw new ArgumentException($"bias has {bias.Length} values; expected classes = {classes}.", nameof(bias));
        Dim = dim;
        Classes = classes;
        Weights = weights;
        Bias = bias;
    }

    public int Dim { get; }

    public int Classes { get; }

    /// <summary>Row-major [classes, dim].</summary>
    public float[] Weights { get; }

    public float[] Bias { get; }

    public ProbeProtocol Protocol { get; init; }

    /// <summary>Chosen L2 strength (Fast); NaN otherwise.</summary>
    public double Lambda { get; init; } = double.NaN;

    /// <summary>Chosen learning rate (Paper); NaN otherwise.</summary>
    public double LearningRate { get; init; } = double.NaN;

    /// <summary>Chosen weight decay (Paper); NaN otherwise.</summary>
    public double WeightDecay { get; init; } = double.NaN;

    /// <summary>Validation top-1 of the chosen hyper-parameters; NaN when there was no search.</summary>
    public double ValidationTop1 { get; init; } = double.NaN;

    /// <summary>Every point the search tried, in order.</summary>
    public IReadOnlyList<ProbeTrial> Trials { get; init; } = [];

    /// <summary>Writes the logits of one embedding.</summary>
    public void Logits(ReadOnlySpan<float> row, Span<float> logits)
    {
        CheckRow(row);
        if (logits.Length < Classes)
            throw new ArgumentException($"logits has room for {logits.Length} values; the probe has {Classes} classes.", nameof(logits));
        SoftmaxKernels.Logits(row, Weights, Bias, logits[..Classes]);
    }

    /// <summary>The predicted class of one embedding (the lowest index among equal logits).</summary>
    public int Predict(ReadOnlySpan<float> row)
    {
        CheckRow(row);
        var z = Classes <= 256 ? stackalloc float[Classes] : new float[Classes];
        SoftmaxKernels.Logits(row, Weights, Bias, z);
        return SoftmaxKernels.ArgMax(z);
    }

    /// <summary>Predicts every row of a row-major [rows, dim] block.</summary>
    public void Predict(ReadOnlySpan<float> x, Span<int> labels)
    {
        var rows = SoftmaxKernels.RowCount(x.Length, Dim, nameof(x));
        if (labels.Length != rows)
            throw new ArgumentException($"labels has {labels.Length} slots for {rows} rows.", nameof(labels));
        var z = Classes <= 256 ? stackalloc float[Classes] : new float[Classes];
        for (var i = 0; i < rows; i++)
        {
            SoftmaxKernels.Logits(x.Slice(i * Dim, Dim), Weights, Bias, z);
            labels[i] = SoftmaxKernels.ArgMax(z);
        }
    }

    private void CheckRow(ReadOnlySpan<float> row)
    {
        if (row.Length != Dim)
            throw new ArgumentException($"The embedding has {row.Length} values; the probe was trained on {Dim}.", nameof(row));
    }
}
