using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
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
/// Exact top-10 cosine kNN: the blocked kernel (packed 6 × 64 micro-kernel, top-k filter fused) against
/// the obvious alternative, a per-pair TensorPrimitives.Dot loop with the same bounded top-k, and against
/// the machine's measured fp32 peak (<see cref="FmaPeak"/>: independent 512-bit FMAs on every core, in the
/// same run, so that the "% of peak" column compares like with like on a shared machine). The default
/// size keeps a run short; TRACEPROBE_KNN_FULL=1 adds the 10,000 × 100,000 × 512 (then filter out
/// *PerPairDot*, which takes minutes there).
/// </summary>
[Config(typeof(Config))]
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

    /// <summary>The fp32 peak as the cores deliver it now: as many FMAs as the kernel does for this size, with nothing else.</summary>
    [Benchmark]
    public float FmaPeak() => Benchmarks.FmaPeak.Run(Size.Flops);

    internal static float[] UnitRows(SeededRandom rng, int rows, int dim)
    {
        var x = new float[(long)rows * dim];
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
            AddColumn(
                FuncColumn.PerSecond("GFLOP/s", c => Size(c).Flops / 1e9),
                FuncColumn.PerSecond("queries/s", c => Size(c).Queries),
                new FuncColumn("% of peak", "GFLOP/s against FmaPeak's for the same size, same run", PercentOfPeak));
        }

        private static KnnSize Size(BenchmarkCase c) => (KnnSize)c.Parameters["Size"];

        private static string PercentOfPeak(Summary summary, BenchmarkCase c)
        {
            var peak = summary.BenchmarksCases.FirstOrDefault(b => b.Descriptor.WorkloadMethod.Name == nameof(FmaPeak) && Equals(b.Parameters["Size"], c.Parameters["Size"]));
            return peak is not null && summary[peak]?.ResultStatistics is { } p && summary[c]?.ResultStatistics is { } s ? (p.Mean / s.Mean).ToString("P0") : "?";
        }
    }
}

/// <summary>
/// The fp32 FMA peak of this machine's cores as they run now: 12 independent 512-bit (or 256-bit)
/// multiply-add chains per thread, on every core, which only the FMA units limit. The nominal clock
/// underestimates it (the cores boost), and other processes lower it, so it is measured beside the kernel.
/// </summary>
public static class FmaPeak
{
    public static float Run(double flops, int threads = 0)
    {
        if (threads < 1) threads = Environment.ProcessorCount;
        var perIteration = 12.0 * 2 * (Vector512.IsHardwareAccelerated ? 16 : 8);
        var iterations = (long)(flops / perIteration / threads);
        var results = new float[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => results[t] = Chains(iterations, 1f + t));
        return results.Sum();
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains(long iterations, float x)
    {
        if (!Vector512.IsHardwareAccelerated) return Chains256(iterations, x);
        var a = Vector512.Create(x);
        var b = Vector512.Create(0.999f);
        Vector512<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, b, a); c1 = Vector512.FusedMultiplyAdd(c1, b, a); c2 = Vector512.FusedMultiplyAdd(c2, b, a);
            c3 = Vector512.FusedMultiplyAdd(c3, b, a); c4 = Vector512.FusedMultiplyAdd(c4, b, a); c5 = Vector512.FusedMultiplyAdd(c5, b, a);
            c6 = Vector512.FusedMultiplyAdd(c6, b, a); c7 = Vector512.FusedMultiplyAdd(c7, b, a); c8 = Vector512.FusedMultiplyAdd(c8, b, a);
            c9 = Vector512.FusedMultiplyAdd(c9, b, a); c10 = Vector512.FusedMultiplyAdd(c10, b, a); c11 = Vector512.FusedMultiplyAdd(c11, b, a);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains256(long iterations, float x)
    {
        var a = Vector256.Create(x);
        var b = Vector256.Create(0.999f);
        Vector256<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector256.MultiplyAddEstimate(c0, b, a); c1 = Vector256.MultiplyAddEstimate(c1, b, a); c2 = Vector256.MultiplyAddEstimate(c2, b, a);
            c3 = Vector256.MultiplyAddEstimate(c3, b, a); c4 = Vector256.MultiplyAddEstimate(c4, b, a); c5 = Vector256.MultiplyAddEstimate(c5, b, a);
            c6 = Vector256.MultiplyAddEstimate(c6, b, a); c7 = Vector256.MultiplyAddEstimate(c7, b, a); c8 = Vector256.MultiplyAddEstimate(c8, b, a);
            c9 = Vector256.MultiplyAddEstimate(c9, b, a); c10 = Vector256.MultiplyAddEstimate(c10, b, a); c11 = Vector256.MultiplyAddEstimate(c11, b, a);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
