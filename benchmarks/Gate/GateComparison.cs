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
        Rows(md, failures, "ratio", baseline.Ratios, measured.Ratios, baselinePath, "0.###", (name, value, expected) =>
        {
            var floor = baseline.Floor(expected);
            return value < floor
                ? (string.Create(inv, $"ratio \"{name}\" = {value:0.###} is below its floor {floor:0.###} (baseline {expected:0.###} × (1 − {baseline.Margin:0.##}))."), "**below floor**")
                : (null, "ok");
        }, expected => baseline.Floor(expected).ToString("0.###", inv));
        foreach (var note in measured.Notes ?? [])
        {
            md.AppendLine();
            md.AppendLine(note);
        }
        md.AppendLine();
        md.AppendLine("| deterministic accuracy | this run | baseline | |");
        md.AppendLine("|---|---:|---:|---|");
        Rows(md, failures, "accuracy", baseline.Accuracies, measured.Accuracies, baselinePath, "0.000", (name, value, expected) =>
            SameToThreeDecimals(value, expected)
                ? (null, "ok")
                : (string.Create(inv, $"accuracy \"{name}\" = {value:0.000} changed from {expected:0.000}."), "**changed**"),
            extra: null);
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

    /// <summary>
    /// One table's rows, ratios or accuracies alike: a name missing from either side fails; otherwise <paramref name="judge"/>
    /// says whether the value fails and the verdict; <paramref name="extra"/> adds a column (the ratios' floor).
    /// </summary>
    private static void Rows(StringBuilder md, List<string> failures, string kind, IReadOnlyDictionary<string, double> expectedByName,
        IReadOnlyDictionary<string, double> measuredByName, string baselinePath, string format,
        Func<string, double, double, (string? Failure, string Verdict)> judge, Func<double, string>? extra)
    {
        var inv = CultureInfo.InvariantCulture;
        var extraMissing = extra is null ? "" : " - |";
        foreach (var name in Names(expectedByName, measuredByName))
        {
            var has = measuredByName.TryGetValue(name, out var value);
            if (!expectedByName.TryGetValue(name, out var expected))
            {
                failures.Add($"{kind} \"{name}\" has no entry in {baselinePath}; record one with --write-baseline.");
                md.AppendLine(inv, $"| {name} | {value.ToString(format, inv)} | - |{extraMissing} **no baseline** |");
                continue;
            }
            string verdict;
            if (!has)
            {
                failures.Add($"{kind} \"{name}\" was not measured (it is in {baselinePath}).");
                verdict = "**not measured**";
            }
            else
            {
                var (failure, v) = judge(name, value, expected);
                if (failure is not null) failures.Add(failure);
                verdict = v;
            }
            var extraCell = extra is null ? "" : $" {extra(expected)} |";
            md.AppendLine(inv, $"| {name} | {(has ? value.ToString(format, inv) : "-")} | {expected.ToString(format, inv)} |{extraCell} {verdict} |");
        }
    }

    private static IEnumerable<string> Names(IReadOnlyDictionary<string, double> a, IReadOnlyDictionary<string, double> b) =>
        a.Keys.Union(b.Keys).Order(StringComparer.Ordinal);
}
