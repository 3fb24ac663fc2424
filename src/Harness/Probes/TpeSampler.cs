namespace TraceProbe.Probes;

/// <summary>One searched hyper-parameter: a float range, sampled log-uniformly when <see cref="Log"/>.</summary>
public sealed record SearchParameter(string Name, double Low, double High, bool Log = true)
{
    internal double TransformedLow => Log ? Math.Log(Low) : Low;
    internal double TransformedHigh => Log ? Math.Log(High) : High;
    internal double ToInternal(double value) => Log ? Math.Log(value) : value;
    internal double ToExternal(double value) => Math.Clamp(Log ? Math.Exp(value) : value, Low, High);
}

/// <summary>Settings of <see cref="TpeSampler"/>; the defaults are Optuna's.</summary>
public sealed record TpeOptions
{
    /// <summary>Completed trials drawn at random (Optuna's RandomSampler) before the Parzen estimators take over.</summary>
    public int StartupTrials { get; init; } = 10;

    /// <summary>Candidates drawn from the good trials' estimator; the one with the best l(x)/g(x) is suggested.</summary>
    public int Candidates { get; init; } = 24;

    /// <summary>Weight of the prior kernel (centred, as wide as the range) in both estimators.</summary>
    public double PriorWeight { get; init; } = 1.0;
}

/// <summary>
/// The Tree-structured Parzen Estimator as Optuna 4.x builds it for <c>TPESampler(multivariate=True, group=True,
/// seed=s)</c> on float parameters, the sampler of the paper's probe search. Hand-written: no .NET library
/// implements TPE. Followed step by step from Optuna's <c>samplers/_tpe</c> (4.0–4.6):
/// <list type="bullet">
/// <item>the first <see cref="TpeOptions.StartupTrials"/> completed trials are independent uniform draws in the
/// transformed (log) space; failed trials do not count;</item>
/// <item>then the completed trials are split by value: the best γ(n) = min(⌈0.1·n⌉, 25) are "below" (good), the
/// rest "above"; each side, in trial order, makes a mixture of product truncated-normal kernels in the
/// transformed space, one per trial (weights 1, or for n ≥ 25 a ramp from 1/n to 1 over the oldest n − 25) plus the
/// prior kernel (centre of the range, σ = range, weight 1);</item>
/// <item>multivariate bandwidth (Scott-like, as Optuna 4.x): σ = 0.2·n^(−1/(d+4))·range for every kernel of a
/// side, clipped to [range / min(100, n + 2), range] (magic clip);</item>
/// <item>24 candidates are drawn from the good mixture (kernel by its weight, then each dimension by the inverse
/// CDF of its truncated normal), and the one maximising log l(x) − log g(x) is suggested (the first on ties).</item>
/// </list>
/// What differs from Optuna: the random numbers (xoshiro256** streams instead of numpy's MT19937, so the same seed
/// gives other points than Optuna's, with the same distribution), and the normal CDF and its inverse (Math.NET's
/// erfc-based ones, in linear space rather than Optuna's log-space Newton iteration; exact to double precision
/// for the ±31σ truncations TPE produces here). Optuna 5 drops the multivariate bandwidth for the univariate
/// neighbour rule; this class follows 4.x, the version the paper's code ran with.
/// </summary>
public sealed class TpeSampler
{
    private const ulong RandomStream = 11, TpeStream = 12;

    private readonly IReadOnlyList<SearchParameter> _space;
    private readonly TpeOptions _options;
    private readonly List<(double[] Internal, double Value)> _completed = [];
    private ProbeRandom _random;
    private ProbeRandom _tpe;

    public TpeSampler(IReadOnlyList<SearchParameter> space, ulong seed, TpeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (space.Count == 0) throw new ArgumentException("The search space is empty.", nameof(space));
        foreach (var p in space)
            if (!(p.Low < p.High) || (p.Log && p.Low <= 0))
                throw new ArgumentException($"Parameter '{p.Name}': range [{p.Low}, {p.High}] is empty{(p.Log ? " or not positive" : "")}.", nameof(space));
        // Optuna orders a group's parameters by name.
        _space = space.OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();
        _options = options ?? new TpeOptions();
        _random = new ProbeRandom(seed, RandomStream);
        _tpe = new ProbeRandom(seed, TpeStream);
    }

    /// <summary>The parameters in the order <see cref="Ask"/> returns their values (by name, as Optuna orders a group).</summary>
    public IReadOnlyList<SearchParameter> Space => _space;

    /// <summary>Completed trials told so far.</summary>
    public int Completed => _completed.Count;

    /// <summary>The next point to try, one value per parameter of <see cref="Space"/>.</summary>
    public double[] Ask()
    {
        var d = _space.Count;
        var point = new double[d];
        if (_completed.Count < _options.StartupTrials)
        {
            for (var i = 0; i < d; i++)
            {
                var p = _space[i];
                point[i] = p.ToExternal(p.TransformedLow + _random.NextDouble() * (p.TransformedHigh - p.TransformedLow));
            }
            return point;
        }

        var (below, above) = Split();
        var good = new ParzenEstimator(below, _space, _options.PriorWeight);
        var bad = new ParzenEstimator(above, _space, _options.PriorWeight);
        double[]? best = null;
        var bestScore = double.NegativeInfinity;
        for (var c = 0; c < _options.Candidates; c++)
        {
            var candidate = good.Sample(ref _tpe);
            var score = good.LogPdf(candidate) - bad.LogPdf(candidate);
            if (best is null || score > bestScore)
                (best, bestScore) = (candidate, score);
        }

        for (var i = 0; i < d; i++)
            point[i] = _space[i].ToExternal(best![i]);
        return point;
    }

    /// <summary>
    /// Records a finished trial: its point (as <see cref="Ask"/> gave it) and the value to maximise, or null when
    /// the trial failed (Optuna's FAIL state: it neither counts toward the start-up trials nor enters the estimators).
    /// </summary>
    public void Tell(IReadOnlyList<double> point, double? value)
    {
        if (point.Count != _space.Count)
            throw new ArgumentException($"The point has {point.Count} values for {_space.Count} parameters.", nameof(point));
        if (value is not double v || double.IsNaN(v)) return;
        _completed.Add((point.Select((x, i) => _space[i].ToInternal(x)).ToArray(), v));
    }

    /// <summary>Optuna's default γ: the share of completed trials that count as good.</summary>
    public static int Gamma(int n) => Math.Min((int)Math.Ceiling(0.1 * n), 25);

    /// <summary>Optuna's default kernel weights for n trials in trial order: flat, or a ramp over the oldest n − 25.</summary>
    public static double[] Weights(int n)
    {
        if (n < 25) return Enumerable.Repeat(1.0, n).ToArray();
        var w = new double[n];
        var ramp = n - 25;
        // numpy.linspace(1/n, 1, num=ramp)
        for (var i = 0; i < ramp; i++)
            w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1.0 - 1.0 / n) * i / (ramp - 1);
        for (var i = ramp; i < n; i++) w[i] = 1;
        return w;
    }

    /// <summary>The best γ(n) trials (maximising; a stable sort, so equal values keep trial order) and the rest, each in trial order.</summary>
    private (double[][] Below, double[][] Above) Split()
    {
        int n = _completed.Count, nBelow = Math.Min(Gamma(n), n);
        var order = Enumerable.Range(0, n).OrderByDescending(i => _completed[i].Value).ToArray();
        var isBelow = new bool[n];
        foreach (var i in order.Take(nBelow)) isBelow[i] = true;
        return (Enumerable.Range(0, n).Where(i => isBelow[i]).Select(i => _completed[i].Internal).ToArray(),
                Enumerable.Range(0, n).Where(i => !isBelow[i]).Select(i => _completed[i].Internal).ToArray());
    }
}
