namespace TraceProbe.Probes;

/// <summary>
/// One side of TPE (good or bad trials): a weighted mixture of product truncated-normal kernels in the transformed
/// (log) space, one kernel per trial plus the prior kernel, with Optuna 4.x's multivariate bandwidth.
/// </summary>
internal sealed class ParzenEstimator
{
    private readonly IReadOnlyList<SearchParameter> _space;
    private readonly double[] _weights;      // per kernel, normalised
    private readonly double[] _logWeights;
    private readonly double[][] _mu;         // [kernel][dim]
    private readonly double[] _sigma;        // [dim]: one bandwidth per dimension for the trials' kernels
    private readonly double[] _low, _high;   // transformed bounds per dimension

    public ParzenEstimator(double[][] observations, IReadOnlyList<SearchParameter> space, double priorWeight)
    {
        _space = space;
        int n = observations.Length, d = space.Count;
        _low = space.Select(p => p.TransformedLow).ToArray();
        _high = space.Select(p => p.TransformedHigh).ToArray();

        double[] weights = n == 0 ? [1.0] : [.. TpeSampler.Weights(n), priorWeight];
        var total = weights.Sum();
        _weights = weights.Select(w => w / total).ToArray();
        _logWeights = _weights.Select(w => Math.Log(w)).ToArray();

        _mu = new double[weights.Length][];
        for (var k = 0; k < n; k++) _mu[k] = observations[k];
        _mu[^1] = Enumerable.Range(0, d).Select(i => 0.5 * (_low[i] + _high[i])).ToArray();

        _sigma = new double[d];
        for (var i = 0; i < d; i++)
        {
            var range = _high[i] - _low[i];
            var sigma = 0.2 * Math.Pow(Math.Max(n, 1), -1.0 / (d + 4)) * range;
            // Magic clip: n trials' kernels + the prior kernel.
            var minSigma = range / Math.Min(100.0, 1.0 + (n + 1));
            _sigma[i] = Math.Clamp(sigma, minSigma, range);
        }
    }

    internal int Kernels => _weights.Length;

    /// <summary>The bandwidth of a kernel in a dimension (the last kernel is the prior).</summary>
    internal double Sigma(int kernel, int dim) => kernel == Kernels - 1 ? _high[dim] - _low[dim] : _sigma[dim];

    /// <summary>A point in the transformed space: a kernel drawn by weight, then each dimension from its truncated normal.</summary>
    public double[] Sample(ref ProbeRandom random)
    {
        double u = random.NextDouble(), cumulative = 0;
        var kernel = Kernels - 1;
        for (var k = 0; k < Kernels; k++)
        {
            cumulative += _weights[k];
            if (u < cumulative) { kernel = k; break; }
        }

        var x = new double[_space.Count];
        for (var i = 0; i < x.Length; i++)
        {
            double mu = _mu[kernel][i], sigma = Sigma(kernel, i);
            var q = random.NextDouble();
            x[i] = TruncatedNormal.Quantile(q, (_low[i] - mu) / sigma, (_high[i] - mu) / sigma) * sigma + mu;
        }
        return x;
    }

    /// <summary>log of the mixture density at a point of the transformed space (log-sum-exp over kernels).</summary>
    public double LogPdf(double[] x)
    {
        var terms = new double[Kernels];
        var max = double.NegativeInfinity;
        for (var k = 0; k < Kernels; k++)
        {
            var t = _logWeights[k];
            for (var i = 0; i < x.Length; i++)
            {
                double sigma = Sigma(k, i), mu = _mu[k][i];
                t += TruncatedNormal.LogPdf((x[i] - mu) / sigma, (_low[i] - mu) / sigma, (_high[i] - mu) / sigma) - Math.Log(sigma);
            }
            terms[k] = t;
            max = Math.Max(max, t);
        }
        if (double.IsNegativeInfinity(max)) return double.NegativeInfinity;
        double sum = 0;
        foreach (var t in terms) sum += Math.Exp(t - max);
        return Math.Log(sum) + max;
    }
}
