using System.Numerics.Tensors;

namespace TraceProbe.Probes;

/// <summary>
/// The coordinates the Fast solver works in: logits W·(x − μ) + β, with μ the mean embedding. The optimum is
/// the same (b = β − W·μ, and the bias is not penalised), but L2-normalised embeddings share a large mean
/// direction that makes the bias and the weights fight in the original coordinates, slowing L-BFGS many times
/// over. A diagonal inverse-curvature estimate per coordinate (feature variance, λ) preconditions the rest.
/// </summary>
internal sealed class Centring
{
    private readonly int _dim, _classes;

    public Centring(SoftmaxObjective objective)
    {
        _dim = objective.Dim;
        _classes = objective.Classes;
        Mean = new double[_dim];
        Variance = new double[_dim];
        var rows = objective.RowCountTotal;
        // Float sums per block of rows, added up in double: precise enough for coordinates that only change the
        // solver's path (any μ gives the same optimum).
        const int Block = 256;
        var sum = new float[_dim];
        var squares = new float[_dim];
        for (var first = 0; first < rows; first += Block)
        {
            sum.AsSpan().Clear();
            squares.AsSpan().Clear();
            for (var i = first; i < Math.Min(rows, first + Block); i++)
            {
                var row = objective.Row(i);
                TensorPrimitives.Add(sum, row, sum);
                TensorPrimitives.MultiplyAdd(row, row, squares, squares);
            }

            for (var j = 0; j < _dim; j++)
            {
                Mean[j] += sum[j];
                Variance[j] += squares[j];
            }
        }

        for (var j = 0; j < _dim; j++)
        {
            Mean[j] /= Math.Max(1, rows);
            Variance[j] = Math.Max(0, Variance[j] / Math.Max(1, rows) - Mean[j] * Mean[j]);
        }
    }

    public double[] Mean { get; }

    public double[] Variance { get; }

    /// <summary>
    /// Inverse curvature per coordinate at the uniform prediction, p(1 − p) with p = 1/classes: 1/(a·var_j + λ)
    /// for weights, 1/a for biases. (A full (a·Σ + λI)⁻¹ by Cholesky was tried: it cut iterations at small λ on
    /// real embeddings but cost more than it saved, a factorisation per λ and two triangular solves per step.)
    /// </summary>
    public IPreconditioner Preconditioner(double lambda)
    {
        var curvature = (_classes - 1.0) / ((double)_classes * _classes);
        var diagonal = new double[_classes * (_dim + 1)];
        for (var c = 0; c < _classes; c++)
            for (var j = 0; j < _dim; j++)
                diagonal[c * _dim + j] = 1 / (curvature * Variance[j] + lambda);
        for (var c = 0; c < _classes; c++)
            diagonal[_classes * _dim + c] = 1 / curvature;
        return new DiagonalPreconditioner(diagonal);
    }

    /// <summary>Model parameters (weights, then bias b = β − W·μ) of solver coordinates θ.</summary>
    public void ToParameters(ReadOnlySpan<double> theta, Span<float> parameters)
    {
        var weights = _classes * _dim;
        for (var i = 0; i < weights; i++)
            parameters[i] = (float)theta[i];
        for (var c = 0; c < _classes; c++)
        {
            double shift = 0;
            for (var j = 0; j < _dim; j++)
                shift += theta[c * _dim + j] * Mean[j];
            parameters[weights + c] = (float)(theta[weights + c] - shift);
        }
    }

    /// <summary>Turns a gradient with respect to (W, b) into one with respect to (W, β) in place: ∂W −= ∂b·μᵀ.</summary>
    public void ToSolverGradient(Span<double> gradient)
    {
        var weights = _classes * _dim;
        for (var c = 0; c < _classes; c++)
        {
            var gb = gradient[weights + c];
            for (var j = 0; j < _dim; j++)
                gradient[c * _dim + j] -= gb * Mean[j];
        }
    }
}

/// <summary>A diagonal inverse Hessian.</summary>
internal sealed class DiagonalPreconditioner(double[] diagonal) : IPreconditioner
{
    public void Apply(Span<double> vector) => TensorPrimitives.Multiply(vector, diagonal, vector);
}
