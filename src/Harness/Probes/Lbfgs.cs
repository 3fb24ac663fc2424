using System.Numerics.Tensors;

namespace TraceProbe.Probes;

/// <summary>An approximation of an inverse Hessian, applied in place.</summary>
internal interface IPreconditioner
{
    void Apply(Span<double> vector);
}

/// <summary>Limited-memory BFGS with a backtracking Armijo line search, for smooth convex objectives.</summary>
internal sealed class Lbfgs
{
    /// <summary>Returns f(x) and writes ∇f(x) into grad.</summary>
    public delegate double Function(double[] x, double[] grad);

    private readonly int _n, _m;
    private readonly double[][] _s, _y;
    private readonly double[] _rho, _alpha, _g, _d, _xNew, _gNew;

    public Lbfgs(int n, int memory)
    {
        _n = n;
        _m = Math.Max(1, memory);
        _s = new double[_m][];
        _y = new double[_m][];
        for (var i = 0; i < _m; i++)
        {
            _s[i] = new double[n];
            _y[i] = new double[n];
        }

        _rho = new double[_m];
        _alpha = new double[_m];
        _g = new double[n];
        _d = new double[n];
        _xNew = new double[n];
        _gNew = new double[n];
    }

    /// <summary>
    /// An approximation of the inverse Hessian, used as the initial matrix of each two-loop recursion; null means
    /// the identity. It changes the path to the minimum, not the minimum.
    /// </summary>
    public IPreconditioner? Preconditioner { get; set; }

    /// <summary>
    /// Minimises f from x (updated in place); stops when no gradient component exceeds
    /// <paramref name="gradientTolerance"/>. Returns the iterations used.
    /// </summary>
    public int Minimize(Function f, double[] x, int maxIterations, double gradientTolerance)
    {
        var fx = f(x, _g);
        int stored = 0, newest = -1, iteration = 0;
        for (; iteration < maxIterations; iteration++)
        {
            if (Math.Abs(TensorPrimitives.MaxMagnitude<double>(_g)) <= gradientTolerance)
                break;

            // Two-loop recursion: d = −H·g.
            _g.CopyTo(_d, 0);
            for (int k = 0, i = newest; k < stored; k++, i = (i - 1 + _m) % _m)
            {
                _alpha[i] = _rho[i] * TensorPrimitives.Dot<double>(_s[i], _d);
                TensorPrimitives.MultiplyAdd<double>(_y[i], -_alpha[i], _d, _d);
            }

            if (Preconditioner is { } preconditioner)
            {
                // H0 = γ·P, with γ = sᵀy / yᵀPy scaling P to the curvature last seen (1 before any pair).
                preconditioner.Apply(_d);
                if (stored > 0)
                {
                    // _gNew is free until the line search: it holds P·y here.
                    _y[newest].CopyTo(_gNew, 0);
                    preconditioner.Apply(_gNew);
                    var gamma = TensorPrimitives.Dot<double>(_s[newest], _y[newest]) / TensorPrimitives.Dot<double>(_y[newest], _gNew);
                    TensorPrimitives.Multiply<double>(_d, gamma, _d);
                }
            }
            else if (stored > 0)
            {
                var gamma = TensorPrimitives.Dot<double>(_s[newest], _y[newest]) / TensorPrimitives.Dot<double>(_y[newest], _y[newest]);
                TensorPrimitives.Multiply<double>(_d, gamma, _d);
            }

            for (int k = 0, i = (newest - stored + 1 + _m) % _m; k < stored; k++, i = (i + 1) % _m)
            {
                var beta = _rho[i] * TensorPrimitives.Dot<double>(_y[i], _d);
                TensorPrimitives.MultiplyAdd<double>(_s[i], _alpha[i] - beta, _d, _d);
            }

            TensorPrimitives.Negate<double>(_d, _d);
            var slope = TensorPrimitives.Dot<double>(_g, _d);
            if (!(slope < 0))
            {
                // Not a descent direction (round-off): restart from steepest descent.
                stored = 0;
                TensorPrimitives.Negate<double>(_g, _d);
                slope = -TensorPrimitives.Dot<double>(_g, _g);
            }

            double step = 1, fNew = double.NaN;
            var accepted = false;
            for (var trial = 0; trial < 40; trial++)
            {
                TensorPrimitives.MultiplyAdd<double>(_d, step, x, _xNew);
                fNew = f(_xNew, _gNew);
                if (fNew <= fx + 1e-4 * step * slope)
                {
                    accepted = true;
                    break;
                }

                // Minimiser of the quadratic through f(0), f'(0) and f(step), kept within [0.1, 0.5]·step.
                var q = double.IsFinite(fNew) ? -slope * step * step / (2 * (fNew - fx - slope * step)) : 0.1 * step;
                step = Math.Clamp(q, 0.1 * step, 0.5 * step);
            }

            if (!accepted)
                break;

            newest = (newest + 1) % _m;
            TensorPrimitives.Subtract<double>(_xNew, x, _s[newest]);
            TensorPrimitives.Subtract<double>(_gNew, _g, _y[newest]);
            var sy = TensorPrimitives.Dot<double>(_s[newest], _y[newest]);
            if (sy > 1e-12)
            {
                _rho[newest] = 1 / sy;
                stored = Math.Min(stored + 1, _m);
            }
            else
            {
                // Curvature too small to trust: forget the pair.
                newest = (newest - 1 + _m) % _m;
            }

            var decrease = fx - fNew;
            _xNew.CopyTo(x, 0);
            _gNew.CopyTo(_g, 0);
            fx = fNew;
            if (decrease <= 1e-10 * Math.Max(1, Math.Abs(fx)))
            {
                iteration++;
                break;
            }
        }

        return iteration;
    }
}
