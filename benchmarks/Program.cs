using BenchmarkDotNet.Running;

namespace TraceProbe.Benchmarks;

public static class BenchmarkProgram
{
    /// <summary>`--dry` runs every benchmark once (a smoke test); other arguments go to BenchmarkDotNet (e.g. --filter).</summary>
    public static void Main(string[] args)
    {
        var dry = args.Contains("--dry");
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly)
            .Run(args.Where(a => a != "--dry").ToArray(), BenchmarkConfig.Create(dry));
    }
}
