using BenchmarkDotNet.Reports;

namespace TraceProbe.Benchmarks.Gate;

/// <summary>The gate's figures from one run: ratios (peer time ÷ our time, or our throughput ÷ the ceiling's), accuracies, times.</summary>
public sealed record GateMeasurements(Dictionary<string, double> Ratios, Dictionary<string, double> Accuracies, Dictionary<string, double> Times)
{
    /// <summary>The benchmark methods the gate runs (full names, Type.Method).</summary>
    public static readonly HashSet<string> Methods =
    [
        $"{nameof(EmbeddingBenchmarks)}.{nameof(EmbeddingBenchmarks.RawOnnxRuntime)}",
        $"{nameof(EmbeddingBenchmarks)}.{nameof(EmbeddingBenchmarks.Pipeline)}",
        $"{nameof(ProbeBenchmarks)}.{nameof(ProbeBenchmarks.Fast)}",
        $"{nameof(ProbeBenchmarks)}.{nameof(ProbeBenchmarks.MlNetLbfgs)}",
        $"{nameof(NeighbourBenchmarks)}.{nameof(NeighbourBenchmarks.BlockedTopK)}",
        $"{nameof(NeighbourBenchmarks)}.{nameof(NeighbourBenchmarks.PerPairDot)}",
    ];

    public static GateMeasurements From(IEnumerable<Summary> summaries)
    {
        // Mean seconds per operation, keyed "Type.Method [params]".
        var times = new Dictionary<string, double>();
        foreach (var report in summaries.SelectMany(s => s.Reports))
        {
            if (report.ResultStatistics is not { } stats) continue;
            var c = report.BenchmarkCase;
            times[Key(c.Descriptor.Type.Name, c.Descriptor.WorkloadMethod.Name, c.Parameters.Items.Select(p => (p.Name, p.Value?.ToString() ?? "")))] = stats.Mean / 1e9;
        }
        double Time(string type, string method, params (string Name, string Value)[] parameters) =>
            times.TryGetValue(Key(type, method, parameters), out var t) ? t : double.NaN;

        var ratios = new Dictionary<string, double>();
        foreach (var batch in new[] { 1, 8 })
        {
            (string, string)[] p = [("Encoder", "resnet18"), ("BatchSize", batch.ToString(System.Globalization.CultureInfo.InvariantCulture))];
            ratios[$"pipeline ÷ raw ONNX Runtime, images/s, batch {batch}"] =
                Time(nameof(EmbeddingBenchmarks), nameof(EmbeddingBenchmarks.RawOnnxRuntime), p) / Time(nameof(EmbeddingBenchmarks), nameof(EmbeddingBenchmarks.Pipeline), p);
        }
        var accuracies = new Dictionary<string, double>();
        foreach (var size in ProbeBenchmarks.Sizes())
        {
            (string, string)[] p = [("Size", size.ToString())];
            ratios[$"ML.NET L-BFGS time ÷ Fast probe time, {size}"] =
                Time(nameof(ProbeBenchmarks), nameof(ProbeBenchmarks.MlNetLbfgs), p) / Time(nameof(ProbeBenchmarks), nameof(ProbeBenchmarks.Fast), p);
            accuracies[$"Fast probe top-1, {size}"] = ProbeBenchmarks.Accuracy("TraceProbe Fast", size);
            accuracies[$"ML.NET L-BFGS top-1, {size}"] = ProbeBenchmarks.Accuracy("ML.NET LbfgsMaximumEntropy", size);
        }
        foreach (var size in NeighbourBenchmarks.Sizes())
        {
            (string, string)[] p = [("Size", size.ToString())];
            ratios[$"per-pair Dot time ÷ blocked kNN kernel time, {size}"] =
                Time(nameof(NeighbourBenchmarks), nameof(NeighbourBenchmarks.PerPairDot), p) / Time(nameof(NeighbourBenchmarks), nameof(NeighbourBenchmarks.BlockedTopK), p);
        }
        foreach (var key in ratios.Where(kv => double.IsNaN(kv.Value)).Select(kv => kv.Key).ToList()) ratios.Remove(key);
        return new GateMeasurements(ratios, accuracies, times);
    }

    /// <summary>"Type.Method [a=1, b=2]", parameters in name order, so that lookups need not know BenchmarkDotNet's order.</summary>
    private static string Key(string type, string method, IEnumerable<(string Name, string Value)> parameters) =>
        $"{type}.{method} [{string.Join(", ", parameters.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value}"))}]";
}
