using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using TraceProbe.Common;
using TraceProbe.Neighbours;

namespace TraceProbe.Benchmarks;

/// <summary>A kNN workload: queries × database rows × dimension.</summary>
public sealed record KnnSize(int Queries, int Database, int Dim)
{
    public double Flops => 2.0 * Queries * Database * Dim;
    public override string ToString() => $"{Queries}x{Database}x{Dim}";
}

/// <summary>
/// Exact top-10 cosine kNN: the blocked SIMD kernel against the obvious alternative, a per-pair
/// TensorPrimitives.Dot loop with the same bounded top-k. The default size keeps a run short; set
/// TRACEPROBE_KNN_FULL=1 to add the 10,000 × 100,000 × 512 figure (then filter to
/// *BlockedTopK*, since the per-pair peer takes minutes there).
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
[BenchmarkCategory("Neighbours")]
public class NeighbourBenchmarks
{
    private float[] _queries = [];
    private float[] _database = [];

    public static IEnumerable<KnnSize> Sizes()
    {
        yield return new KnnSize(1_000, 20_000, 512);
        if (Environment.GetEnvironmentVariable("TRACEPROBE_KNN_FULL") == "1")
            yield return new KnnSize(10_000, 100_000, 512);
    }

    [ParamsSource(nameof(Sizes))]
    public KnnSize Size { get; set; } = new(1_000, 20_000, 512);

    [GlobalSetup]
    public void Setup()
    {
        var rng = new SeededRandom(2025);
        _queries = UnitRows(rng, Size.Queries, Size.Dim);
        _database = UnitRows(rng, Size.Database, Size.Dim);
    }

    [Benchmark(Baseline = true)]
    public KnnNeighbours BlockedTopK() => CosineKnn.Search(_queries, _database, Size.Dim, k: 10);

    [Benchmark]
    public int PerPairDot()
    {
        // The peer: what one writes first, parallel over queries as well, so only the kernel differs.
        var dim = Size.Dim;
        var nd = Size.Database;
        var checksum = 0;
        Parallel.For(0, Size.Queries, () => (new float[10], new int[10]), (i, _, buffers) =>
        {
            var (sims, idx) = buffers;
            Array.Fill(sims, float.NegativeInfinity);
            var q = _queries.AsSpan(i * dim, dim);
            for (var j = 0; j < nd; j++)
            {
                var s = TensorPrimitives.Dot(q, _database.AsSpan(j * dim, dim));
                var worst = TensorPrimitives.IndexOfMin(sims);
                if (s > sims[worst]) { sims[worst] = s; idx[worst] = j; }
            }
            Interlocked.Add(ref checksum, idx[0]);
            return buffers;
        }, _ => { });
        return checksum;
    }

    private static float[] UnitRows(SeededRandom rng, int rows, int dim)
    {
        var x = new float[rows * dim];
        for (var i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() - 0.5);
        for (var r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * dim, dim);
            TensorPrimitives.Divide(row, TensorPrimitives.Norm(row), row);
        }
        return x;
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // The job, exporters and diagnosers come from BenchmarkConfig (5 iterations after settling, or Dry for the smoke test).
            AddColumn(new GflopsColumn(), new QueriesPerSecondColumn());
        }
    }

    /// <summary>Achieved GFLOP/s, counting 2·dim flops per (query, database) similarity.</summary>
    private sealed class GflopsColumn : ThroughputColumn
    {
        public override string Id => "GFLOPs";
        public override string ColumnName => "GFLOP/s";
        public override string Legend => "2·queries·database·dim / mean time";
        protected override double Value(KnnSize size, double seconds) => size.Flops / seconds / 1e9;
    }

    private sealed class QueriesPerSecondColumn : ThroughputColumn
    {
        public override string Id => "QueriesPerSec";
        public override string ColumnName => "queries/s";
        public override string Legend => "queries / mean time";
        protected override double Value(KnnSize size, double seconds) => size.Queries / seconds;
    }

    private abstract class ThroughputColumn : IColumn
    {
        public abstract string Id { get; }
        public abstract string ColumnName { get; }
        public abstract string Legend { get; }
        protected abstract double Value(KnnSize size, double seconds);
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var stats = summary[benchmarkCase]?.ResultStatistics;
            if (stats is null || benchmarkCase.Parameters["Size"] is not KnnSize size) return "-";
            return Value(size, stats.Mean / 1e9).ToString("N1");
        }
    }
}
