using System.CommandLine;
using TraceProbe.Probes;

namespace TraceProbe.Cli;

/// <summary>Options shared by several commands, so that they are named and explained the same way everywhere.</summary>
public static class CommonOptions
{
    public static Option<string> Out() => new("--out") { Description = "Output folder.", DefaultValueFactory = _ => "results" };
    public static Option<ulong> Seed() => new("--seed") { Description = "Seed of every random choice (splits, crops, classes, probes).", DefaultValueFactory = _ => 0UL };
    public static Option<string> Device() => new("--device") { Description = "cpu, or cuda[:N] for ONNX Runtime's CUDA provider (the encoder, and in run and knn the kNN similarity passes).", DefaultValueFactory = _ => "cpu" };
    public static Option<int> Threads() => new("--threads") { Description = "ONNX Runtime intra-op threads of the encoder's one run (0: a single-threaded run per core, at most 8 at once).", DefaultValueFactory = _ => 0 };
    public static Option<string?> Models() => new("--models") { Description = "Folder of ONNX models. Default: $TRACEPROBE_MODELS, else the models folder beside the program." };
    public static Option<ProbeProtocol> Protocol() => new("--protocol") { Description = "The probe's optimiser: Fast (default: full-batch L-BFGS along a regularisation path) or Paper (the paper's: SGD with momentum tuned by 30 TPE trials, one search then 10 seeds). In run and embed, Paper also picks the paper's data layout unless --layout says otherwise. See docs/paper-mode.md.", DefaultValueFactory = _ => ProbeProtocol.Fast };
    public static Option<int?> ProbeSeeds() => new("--probe-seeds") { Description = $"Probes trained per task with seeds seed, seed+1, …, reported as mean ± std. Default: {ProbeOptions.DefaultSeeds(ProbeProtocol.Fast)} (Fast), {ProbeOptions.DefaultSeeds(ProbeProtocol.Paper)} (Paper)." };
    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "Print nothing but errors." };
}
