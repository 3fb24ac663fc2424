using System.Diagnostics;
using System.Globalization;

namespace TraceProbe.Benchmarks.Gate;

/// <summary>
/// `--gate REPORT.md`: a short real measurement (not Dry) of the ratios the project promises, each against its
/// peer in the same run, in this one process: pipeline vs raw ONNX Runtime, Fast probe vs ML.NET L-BFGS, the
/// blocked kNN kernel vs per-pair TensorPrimitives.Dot. Writes a Markdown report, prints it, and exits 1
/// when a deterministic accuracy differs from the committed baseline or a ratio falls below its floor.
/// `--write-baseline [--runs 3]` measures three times and records each ratio's median, and the three values, as
/// the new baseline (keeping the file's margin and note); `--baseline PATH` reads or writes another file.
/// </summary>
public static class BenchmarkGate
{
    /// <summary>The committed baseline beside this project's sources (found from the working directory upward).</summary>
    public static string BaselinePath
    {
        get
        {
            for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "benchmarks", "gate-baseline.json")))
                    return Path.Combine(dir.FullName, "benchmarks", "gate-baseline.json");
            return Path.Combine("benchmarks", "gate-baseline.json");
        }
    }

    /// <summary>Measures, compares with the baseline, writes and prints the report; 0 when the gate passes.</summary>
    /// <param name="runs">With <paramref name="writeBaseline"/>: measure this many times and record each ratio's median.</param>
    public static int Run(string reportPath, bool writeBaseline, string? baselinePath = null, int runs = 3)
    {
        baselinePath ??= BaselinePath;
        GateBaseline? previous = null;
        try
        {
            // Read before measuring, so that a missing or broken baseline fails in a second, not after the run.
            if (!writeBaseline || File.Exists(baselinePath)) previous = GateBaseline.Read(baselinePath);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }

        var clock = Stopwatch.StartNew();
        void Log(string line) => Console.WriteLine($"benchmark gate: {line}");
        GateMeasurements measured;
        if (writeBaseline)
        {
            var all = Enumerable.Range(0, Math.Max(1, runs)).Select(r => { Log($"run {r + 1} of {runs}"); return GateSuite.Measure(Log); }).ToList();
            var unsteady = all[0].Accuracies.Keys.Where(k => all.Any(m => !GateComparison.SameToThreeDecimals(m.Accuracies[k], all[0].Accuracies[k]))).ToList();
            if (unsteady.Count > 0)
            {
                Console.Error.WriteLine($"benchmark gate: not deterministic, differs between runs: {string.Join("; ", unsteady)}");
                return 1;
            }
            measured = all[0] with { Ratios = all[0].Ratios.Keys.ToDictionary(k => k, k => PairedTiming.Median(all.Select(m => m.Ratios[k]))) };
            previous = new GateBaseline
            {
                Margin = previous?.Margin ?? GateBaseline.DefaultMargin,
                Note = previous?.Note ?? GateBaseline.DefaultNote,
                Ratios = measured.Ratios.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 3)),
                Runs = measured.Ratios.Keys.ToDictionary(k => k, k => all.Select(m => Math.Round(m.Ratios[k], 3)).ToArray()),
                Accuracies = measured.Accuracies.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 3, MidpointRounding.AwayFromZero)),
                Measured = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            };
            previous.Write(baselinePath);
            Log($"wrote {baselinePath}: each ratio the median of {all.Count} runs");
        }
        else
        {
            measured = GateSuite.Measure(Log);
            measured = MeasureAgainBelowFloor(measured, previous!, Log);
        }
        Log(string.Create(CultureInfo.InvariantCulture, $"measured in {clock.Elapsed.TotalSeconds:0} s"));

        var comparison = GateComparison.Compare(measured, previous!, baselinePath);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(reportPath))!);
        File.WriteAllText(reportPath, comparison.Report);
        Console.WriteLine(comparison.Report);
        foreach (var failure in comparison.Failures) Console.Error.WriteLine($"benchmark gate: {failure}");
        return comparison.Passed ? 0 : 1;
    }

    /// <summary>
    /// A ratio below its floor is measured once more and the better of the two counts: a burst of other
    /// processes' work rarely lands on both tries, while a slower kernel fails both. Accuracies are never retried.
    /// </summary>
    private static GateMeasurements MeasureAgainBelowFloor(GateMeasurements measured, GateBaseline baseline, Action<string> log)
    {
        var below = measured.Ratios.Where(kv => baseline.Ratios.TryGetValue(kv.Key, out var b) && kv.Value < baseline.Floor(b)).Select(kv => kv.Key).ToHashSet();
        if (below.Count == 0) return measured;
        log($"below the floor at the first try, measuring again: {string.Join("; ", below)}");
        var again = GateSuite.Measure(log, below.Contains, withAccuracies: false);
        var ratios = new Dictionary<string, double>(measured.Ratios);
        var notes = new List<string>(measured.Notes ?? []);
        foreach (var (name, second) in again.Ratios)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"Measured twice: {name} was {measured.Ratios[name]:0.###} at the first try (below its floor), {second:0.###} at the second; the better counts."));
            ratios[name] = Math.Max(measured.Ratios[name], second);
        }
        return measured with { Ratios = ratios, Notes = notes };
    }
}
