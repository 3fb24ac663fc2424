using BenchmarkDotNet.Running;

namespace TraceProbe.Benchmarks;

public static class BenchmarkProgram
{
    /// <summary>
    /// `--dry` runs every benchmark once (the smoke test CI runs); other arguments go to BenchmarkDotNet
    /// (e.g. --filter); `--gate REPORT.md [--baseline FILE] [--write-baseline [--runs 3]]` runs the CI gate (Gate/BenchmarkGate.cs); `preprocessing-rounds [N]` times our preprocessing stages as tools/reference_speed.py does the reference's. Exits 1 when a benchmark failed, so that a broken benchmark fails CI.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "--gate")
        {
            string? Option(string name) => Array.IndexOf(args, name) is var at and > 0 && at + 1 < args.Length ? args[at + 1] : null;
            return Gate.BenchmarkGate.Run(args[1], writeBaseline: args.Contains("--write-baseline"), Option("--baseline"),
                runs: int.Parse(Option("--runs") ?? "3", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (args.Length > 0 && args[0].StartsWith("knn-", StringComparison.Ordinal)) return KnnMeasurements.Run(args);
        if (args.Length > 0 && args[0] == "preprocessing-rounds") return PreprocessingRounds.Run(args);
        var dry = args.Contains("--dry");
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly)
            .Run(args.Where(a => a != "--dry").ToArray(), BenchmarkConfig.Create(dry));
        var failed = summaries.Where(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)).ToList();
        foreach (var s in failed) Console.Error.WriteLine($"benchmark failures in {s.Title}");
        return failed.Count == 0 ? 0 : 1;
    }
}
