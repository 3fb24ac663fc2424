using System.Globalization;
using System.Text;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace TraceProbe.Benchmarks.Gate;

/// <summary>
/// `--gate REPORT.md`: a short real measurement (not Dry) of the ratios the project promises, each against its
/// peer in the same run, in this one process: pipeline vs raw ONNX Runtime, Fast probe vs ML.NET L-BFGS, the
/// blocked kNN kernel vs per-pair TensorPrimitives.Dot. Writes a Markdown report, prints its table, and exits 1
/// when a deterministic accuracy differs from the committed baseline or a ratio falls below its floor.
/// `--gate REPORT.md --write-baseline` records this run's figures as the new baseline first; `--baseline PATH` reads another.
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

    public static int Run(string reportPath, bool writeBaseline, string? baselinePath = null)
    {
        baselinePath ??= BaselinePath;
        var config = ManualConfig.CreateEmpty()
            // In this process (no generated project to build), 3 warm-ups and 5 measured iterations: a minute or two in all.
            .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(5))
            .AddLogger(BenchmarkDotNet.Loggers.NullLogger.Instance)
            .AddColumnProvider(BenchmarkDotNet.Columns.DefaultColumnProviders.Instance)
            .WithOption(ConfigOptions.JoinSummary, false)
            .WithOption(ConfigOptions.DisableLogFile, true)
            .AddFilter(new SimpleFilter(c => GateMeasurements.Methods.Contains($"{c.Descriptor.Type.Name}.{c.Descriptor.WorkloadMethod.Name}")));
        var summaries = BenchmarkRunner.Run([typeof(EmbeddingBenchmarks), typeof(ProbeBenchmarks), typeof(NeighbourBenchmarks)], config);
        if (summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)))
        {
            Console.Error.WriteLine("benchmark gate: a benchmark failed to run.");
            return 1;
        }
        var measured = GateMeasurements.From(summaries);
        if (writeBaseline)
        {
            new GateBaseline
            {
                Margin = 0.25,
                Ratios = measured.Ratios,
                Accuracies = measured.Accuracies,
                Measured = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            }.Write(baselinePath);
            Console.WriteLine($"Wrote {baselinePath}");
        }
        var baseline = GateBaseline.Read(baselinePath);
        var (report, failures) = Compare(measured, baseline);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(reportPath))!);
        File.WriteAllText(reportPath, report);
        Console.WriteLine(report);
        foreach (var failure in failures) Console.Error.WriteLine($"benchmark gate: {failure}");
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>The report's Markdown and the list of failures (empty when the run passes).</summary>
    public static (string Report, List<string> Failures) Compare(GateMeasurements measured, GateBaseline baseline)
    {
        var failures = new List<string>();
        var md = new StringBuilder();
        md.AppendLine("# Benchmark gate");
        md.AppendLine();
        md.AppendLine($"Ratios against a peer measured in the same run (higher is better); floor = baseline × (1 − {baseline.Margin:0.##}). Baseline measured {baseline.Measured ?? "?"}.");
        md.AppendLine();
        md.AppendLine("| ratio | this run | baseline | floor | |");
        md.AppendLine("|---|---:|---:|---:|---|");
        foreach (var (name, expected) in baseline.Ratios.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var floor = expected * (1 - baseline.Margin);
            var ok = measured.Ratios.TryGetValue(name, out var value) && value >= floor;
            if (!ok) failures.Add(measured.Ratios.ContainsKey(name) ? $"{name} = {value:0.###} is below its floor {floor:0.###}" : $"{name} was not measured");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {(measured.Ratios.ContainsKey(name) ? value.ToString("0.###", CultureInfo.InvariantCulture) : "-")} | {expected:0.###} | {floor:0.###} | {(ok ? "ok" : "**below floor**")} |");
        }
        md.AppendLine();
        md.AppendLine("| deterministic accuracy | this run | baseline | |");
        md.AppendLine("|---|---:|---:|---|");
        foreach (var (name, expected) in baseline.Accuracies.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var ok = measured.Accuracies.TryGetValue(name, out var value) && Math.Round(value, 3) == Math.Round(expected, 3);
            if (!ok) failures.Add(measured.Accuracies.ContainsKey(name) ? $"{name} = {value:0.000} changed from {expected:0.000}" : $"{name} was not measured");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {(measured.Accuracies.ContainsKey(name) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "-")} | {expected:0.000} | {(ok ? "ok" : "**changed**")} |");
        }
        md.AppendLine();
        md.AppendLine("Times (mean of 5 iterations after 3 warm-ups, in this process):");
        md.AppendLine();
        foreach (var line in measured.Times.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            md.AppendLine(CultureInfo.InvariantCulture, $"- {line.Key}: {line.Value * 1e3:0.0} ms");
        return (md.ToString(), failures);
    }
}
