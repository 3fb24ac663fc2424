using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace TraceProbe.Probes;

/// <summary>
/// The standard normal truncated to [a, b], as Optuna's TPE uses it: its log density and its quantile function.
/// Tails are handled as Optuna does, by working on the left side (where Φ keeps its relative precision) and
/// mirroring the right side onto it; Φ and Φ⁻¹ are Math.NET's (erfc-based).
/// </summary>
internal static class TruncatedNormal
{
    private static readonly double LogSqrt2Pi = 0.5 * Math.Log(2 * Math.PI);

    /// <summary>Φ(x) through erfc, accurate in the left tail.</summary>
    public static double Cdf(double x) => 0.5 * SpecialFunctions.Erfc(-x / Math.Sqrt(2));

    /// <summary>log of the standard normal mass in [a, b].</summary>
    public static double LogMass(double a, double b)
    {
        if (b <= 0) return Math.Log(Cdf(b) - Cdf(a));
        if (a > 0) return Math.Log(Cdf(-a) - Cdf(-b));
        return Math.Log(1 - Cdf(a) - Cdf(-b));
    }

    /// <summary>log density at x of the standard normal truncated to [a, b] (−∞ outside).</summary>
    public static double LogPdf(double x, double a, double b)
    {
        if (x < a || x > b) return double.NegativeInfinity;
        return -0.5 * x * x - LogSqrt2Pi - LogMass(a, b);
    }

    /// <summary>The x in [a, b] whose truncated CDF is q.</summary>
    public static double Quantile(double q, double a, double b)
    {
        if (q <= 0) return a;
        if (q >= 1) return b;
        if (a >= 0) return -Quantile(1 - q, -b, -a);
        double lo = Cdf(a), p = lo + q * (Cdf(b) - lo);
        return Math.Clamp(Normal.InvCDF(0, 1, p), a, b);
    }
}
