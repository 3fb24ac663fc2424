namespace TraceProbe.Benchmarks.Gate;

/// <summary>
/// The gate's figures from one run: ratios (peer time ÷ our time, or our throughput ÷ the ceiling's; higher is
/// better), deterministic accuracies, the times the ratios came from (seconds per operation), and notes for the
/// report (a ratio measured twice).
/// </summary>
public sealed record GateMeasurements(
    IReadOnlyDictionary<string, double> Ratios,
    IReadOnlyDictionary<string, double> Accuracies,
    IReadOnlyDictionary<string, double> Times,
    IReadOnlyList<string>? Notes = null);
