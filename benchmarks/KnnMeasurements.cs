using System.Diagnostics;
using System.Text;
using TraceProbe.Neighbours;

namespace TraceProbe.Benchmarks;

/// <summary>
/// Two measurements BenchmarkDotNet does not fit, run as `dotnet run -c Release -- knn-paired …` or `knn-streamed …`:
/// the kernel against the FMA peak in alternating rounds, timed in wall and CPU seconds (CPU seconds stay
/// meaningful when other processes share the cores), and a whole kNN influence run streamed from an
/// embeddings file with its peak working set.
/// </summary>
public static class KnnMeasurements
{
    public static int Run(string[] args)
    {
        int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i]) : fallback;
        switch (args[0])
        {
            case "knn-paired": Paired(Arg(1, 10_000), Arg(2, 100_000), Arg(3, 512), Arg(4, 3), Arg(5, Environment.ProcessorCount)); return 0;
            case "knn-streamed": Streamed(Arg(1, 2_000), Arg(2, 20_000), Arg(3, 768), Arg(4, 6)); return 0;
            default: Console.Error.WriteLine("expected knn-paired [queries database dim rounds threads] or knn-streamed [queries database dim processings]"); return 2;
        }
    }

    /// <summary>Rounds of (peak with as many FLOPs as the kernel, then the kernel's top-10 search).</summary>
    private static void Paired(int nq, int nd, int dim, int rounds, int threads)
    {
        var rng = new TraceProbe.Common.SeededRandom(1);
        var q = NeighbourBenchmarks.UnitRows(rng, nq, dim);
        var d = NeighbourBenchmarks.UnitRows(rng, nd, dim);
        var flops = 2.0 * nq * nd * dim;
        CosineKnn.Search(q.AsSpan(0, Math.Min(nq, 600) * dim), d.AsSpan(0, Math.Min(nd, 8192) * dim), dim, 10, threads);
        FmaPeak.Run(1e9);
        Console.WriteLine($"{nq} x {nd} x {dim}, {threads} threads, kernel path {SimilarityKernel.Path}");
        for (var r = 0; r < rounds; r++)
        {
            var (pw, pc) = Time(() => Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => FmaPeak.Run(flops / threads, threads: 1)));
            var (kw, kc) = Time(() => CosineKnn.Search(q, d, dim, 10, threads));
            Console.WriteLine($"round {r}: peak {flops / pw / 1e9:F1} GFLOP/s ({flops / pc / 1e9:F1} per CPU-s); kernel {flops / kw / 1e9:F1} GFLOP/s " +
                $"({flops / kc / 1e9:F1} per CPU-s); kernel/peak {pw / kw:P0} wall, {pc / kc:P0} per CPU-s");
        }
    }

    /// <summary>A whole run on rows read from a safetensors file written for it (random unit rows, 1,000 classes).</summary>
    private static void Streamed(int nq, int nd, int dim, int processings)
    {
        var path = Path.Combine(Path.GetTempPath(), $"traceprobe-knn-{Guid.NewGuid():N}.safetensors");
        try
        {
            WriteRandom(path, (long)(nq + nd) * processings, dim);
            int[] Map(int first, int count) => Enumerable.Range(0, count * processings).Select(r => first * processings + r).ToArray();
            using var queries = new EmbeddingsFileRows(path, Map(0, nq), processings);
            using var database = new EmbeddingsFileRows(path, Map(nq, nd), processings);
            var rng = new Random(9);
            var input = new KnnInfluenceInput(queries, Enumerable.Range(0, nq).Select(_ => rng.Next(1000)).ToArray(),
                database, Enumerable.Range(0, nd).Select(_ => rng.Next(1000)).ToArray());
            var options = new KnnOptions();
            var cost = KnnCostModel.Estimate(nq, nd, dim, processings, options);
            Console.WriteLine(cost);
            var (wall, cpu) = Time(() => KnnInfluence.Evaluate(input, options, new KnnProgressLog(Console.WriteLine, TimeSpan.FromSeconds(30))));
            using var process = Process.GetCurrentProcess();
            Console.WriteLine($"wall {wall:F1} s, CPU {cpu:F1} s: {cost.Flops / wall / 1e9:F1} GFLOP/s, {cost.Flops / cpu / 1e9:F1} GFLOP per CPU-s; " +
                $"peak working set {process.PeakWorkingSet64 >> 20} MiB (the estimate, without the runtime: {cost.MemoryBytes >> 20} MiB)");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (double Wall, double Cpu) Time(Action action)
    {
        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        action();
        var wall = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return (wall, (process.TotalProcessorTime - cpu0).TotalSeconds);
    }

    private static void WriteRandom(string path, long rows, int dim)
    {
        var header = $"{{\"embeddings\":{{\"dtype\":\"F32\",\"shape\":[{rows},{dim}],\"data_offsets\":[0,{rows * dim * 4}]}}}}";
        header = header.PadRight((header.Length + 7) / 8 * 8);
        using var file = new BufferedStream(File.Create(path), 1 << 20);
        file.Write(BitConverter.GetBytes((long)header.Length));
        file.Write(Encoding.ASCII.GetBytes(header));
        var rng = new TraceProbe.Common.SeededRandom(5);
        for (long r = 0; r < rows; r += 4096)
        {
            var block = NeighbourBenchmarks.UnitRows(rng, (int)Math.Min(4096, rows - r), dim);
            file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(block.AsSpan()));
        }
    }
}
