using System.Globalization;
using System.Text;

namespace TraceProbe.Benchmarks.Gate;

/// <summary>The gate's decision: this run's figures against the baseline, as a Markdown report and a list of failures.</summary>
public sealed record GateComparison(string Report, IReadOnlyList<string> Failures)
{
    public bool Passed => Failures.Count == 0;

    /// <summary>
    /// A ratio fails below its floor; an accuracy fails when it differs at three decimals; a figure the baseline
    /// lists but the run lacks fails, and so does one the run measured but <paramref name="baselinePath"/> lacks
    /// (a new benchmark needs its baseline recorded, not silently skipped).
    /// </summary>
    public static GateComparison Compare(GateMeasurements measured, GateBaseline baseline, string baselinePath)
    {
        var failures = new List<string>();
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("# Benchmark gate");
        md.AppendLine();
        md.AppendLine(inv, $"Ratios against a peer timed in the same run (higher is better; the median over rounds that alternate the two); floor = baseline × (1 − {baseline.Margin:0.##}). Baseline measured {baseline.Measured ?? "?"}.");
        md.AppendLine();
        md.AppendLine("| ratio | this run | baseline | floor | |");
        md.AppendLine("|---|---:|---:|---:|---|");
        foreach (var name in Names(baseline.Ratios, measured.Ratios))
        {
            var has = measured.Ratios.TryGetValue(name, out var value);
            string verdict;
            if (!baseline.Ratios.TryGetValue(name, out var expected))
            {
                failures.Add($"ratio \"{name}\" has no entry in {baselinePath}; record one with --write-baseline.");
                md.AppendLine(inv, $"| {name} | {value:0.###} | - | - | **no baseline** |");
                continue;
            }
            var floor = baseline.Floor(expected);
            if (!has)
            {
                failures.Add($"ratio \"{name}\" was not measured (it is in {baselinePath}).");
                verdict = "**not measured**";
            }
            else if (value < floor)
            {
                failures.Add(string.Create(inv, $"ratio \"{name}\" = {value:0.###} is below its floor {floor:0.###} (baseline {expected:0.###} × (1 − {baseline.Margin:0.##}))."));
                verdict = "**below floor**";
            }
            else verdict = "ok";
            md.AppendLine(inv, $"| {name} | {(has ? value.ToString("0.###", inv) : "-")} | {expected:0.###} | {floor:0.###} | {verdict} |");
        }
        foreach (var note in measured.Notes ?? [])
        {
            md.AppendLine();
            md.AppendLine(note);
        }
        md.AppendLine();
        md.AppendLine("| deterministic accuracy | this run | baseline | |");
        md.AppendLine("|---|---:|---:|---|");
        foreach (var name in Names(baseline.Accuracies, measured.Accuracies))
        {
            var has = measured.Accuracies.TryGetValue(name, out var value);
            string verdict;
            if (!baseline.Accuracies.TryGetValue(name, out var expected))
            {
                failures.Add($"accuracy \"{name}\" has no entry in {baselinePath}; record one with --write-baseline.");
                md.AppendLine(inv, $"| {name} | {value:0.000} | - | **no baseline** |");
                continue;
            }
            if (!has)
            {
                failures.Add($"accuracy \"{name}\" was not measured (it is in {baselinePath}).");
                verdict = "**not measured**";
            }
            else if (!SameToThreeDecimals(value, expected))
            {
                failures.Add(string.Create(inv, $"accuracy \"{name}\" = {value:0.000} changed from {expected:0.000}."));
                verdict = "**changed**";
            }
            else verdict = "ok";
            md.AppendLine(inv, $"| {name} | {(has ? value.ToString("0.000", inv) : "-")} | {expected:0.000} | {verdict} |");
        }
        md.AppendLine();
        md.AppendLine("Times (fastest round of each, in this process):");
        md.AppendLine();
        foreach (var (name, seconds) in measured.Times.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            md.AppendLine(inv, $"- {name}: {seconds * 1e3:0.0} ms");
        return new GateComparison(md.ToString(), failures);
    }

    /// <summary>Accuracies are reported to three decimals; the gate compares what it reports.</summary>
    public static bool SameToThreeDecimals(double a, double b) =>
        Math.Round(a, 3, MidpointRounding.AwayFromZero) == Math.Round(b, 3, MidpointRounding.AwayFromZero);

    private static IEnumerable<string> Names(IReadOnlyDictionary<string, double> a, IReadOnlyDictionary<string, double> b) =>
        a.Keys.Union(b.Keys).Order(StringComparer.Ordinal);
}
