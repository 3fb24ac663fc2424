using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace TraceProbe.Benchmarks;

/// <summary>
/// 5 measured iterations after 6 to 20 warm-ups, until the times settle (the 2 shared cores make longer runs no
/// more exact; 3 fixed warm-ups measured a 20 ms probe fit while the JIT was still optimising it, at 27–48 ms),
/// or `Dry` (every benchmark once) as a smoke test. JSON and GitHub Markdown reports, allocations measured.
/// </summary>
public static class BenchmarkConfig
{
    public static IConfig Create(bool dry) => ManualConfig.CreateEmpty()
        .AddJob(dry ? Job.Dry : Job.Default.WithIterationCount(5).WithLaunchCount(1).WithMinWarmupCount(6).WithMaxWarmupCount(20))
        .AddColumnProvider(DefaultColumnProviders.Instance)
        .AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default)
        .AddExporter(MarkdownExporter.GitHub, JsonExporter.FullCompressed)
        .AddDiagnoser(MemoryDiagnoser.Default)
        .WithOption(ConfigOptions.JoinSummary, false);
}

/// <summary>A column computed from a benchmark's mean time (throughput) or looked up by its case (accuracy).</summary>
public sealed class FuncColumn(string name, string legend, Func<Summary, BenchmarkCase, string> value) : IColumn
{
    public string Id => name;
    public string ColumnName => name;
    public string Legend => legend;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => value(summary, benchmarkCase);
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => value(summary, benchmarkCase);

    /// <summary>Items per second from the case's mean time.</summary>
    public static FuncColumn PerSecond(string name, Func<BenchmarkCase, double> itemsPerOp) => new(name, $"{name}: items per operation / mean time",
        (summary, c) => summary[c]?.ResultStatistics is { } stats ? (itemsPerOp(c) / (stats.Mean / 1e9)).ToString("0.0") : "?");
}
