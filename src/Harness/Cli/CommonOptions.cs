using System.CommandLine;
using TraceProbe.Encoders;
using TraceProbe.Experiments;

namespace TraceProbe.Cli;

/// <summary>Options shared by several commands, so that they are named and explained the same way everywhere.</summary>
public static class CommonOptions
{
    public static Option<string> Out() => new("--out") { Description = "Output folder.", DefaultValueFactory = _ => "results" };
    public static Option<ulong> Seed() => new("--seed") { Description = "Seed of every random choice (splits, crops, classes, probes).", DefaultValueFactory = _ => 0UL };
    public static Option<string> Device() => new("--device") { Description = "cpu, or cuda[:N] for ONNX Runtime's CUDA provider.", DefaultValueFactory = _ => "cpu" };
    public static Option<int> Threads() => new("--threads") { Description = "ONNX Runtime intra-op threads (0: one per core).", DefaultValueFactory = _ => 0 };
    public static Option<string?> Models() => new("--models") { Description = "Folder of ONNX models. Default: $TRACEPROBE_MODELS, else the models folder beside the program." };
    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "Print nothing but errors." };

    public static IReadOnlyList<EncoderSpec> SelectEncoders(IReadOnlyList<string> ids, string modelsFolder, bool quiet)
    {
        var wanted = Split(ids);
        if (wanted.Count == 0)
        {
            var installed = EncoderRegistry.All.Where(e => ModelsFolder.IsInstalled(e, modelsFolder)).ToList();
            if (installed.Count == 0)
                throw new UsageException($"No registered encoder is installed in {modelsFolder}. Run `traceprobe encoders` to see how to install one.");
            return installed;
        }
        var specs = new List<EncoderSpec>();
        foreach (var id in wanted)
        {
            var spec = EncoderRegistry.Find(id)
                ?? throw new UsageException($"--encoders: unknown encoder '{id}'. Known: {string.Join(", ", EncoderRegistry.All.Select(e => e.Id))}.");
            if (!ModelsFolder.IsInstalled(spec, modelsFolder))
                throw new UsageException($"--encoders: '{id}' is not installed in {modelsFolder}. {EncoderNotInstalledException.InstallHint(spec)}");
            specs.Add(spec);
        }
        return specs;
    }

    /// <summary>The tasks named, or by default every task of <paramref name="kind"/> (every task when null).</summary>
    public static IReadOnlyList<TraceTaskSpec> SelectTasks(IReadOnlyList<string> ids, TraceKind? kind)
    {
        var wanted = Split(ids);
        if (wanted.Count == 0) return ExperimentRegistry.All.Where(t => kind is null || t.Kind == kind).ToList();
        return wanted.Select(id => ExperimentRegistry.Find(id)
            ?? throw new UsageException($"--tasks: unknown task '{id}'. Known: {string.Join(", ", ExperimentRegistry.All.Select(t => t.Id))}.")).ToList();
    }

    /// <summary>An encoder session with the command line's device and threads; notable decisions go to stderr.</summary>
    public static OnnxEncoder OpenEncoder(EncoderSpec spec, string modelsFolder, string device, int threads, bool quiet) =>
        new(spec, modelsFolder, new EncoderRuntimeOptions
        {
            Device = device,
            IntraOpThreads = threads,
            Log = quiet ? null : Console.Error.WriteLine,
        });

    /// <summary>Accepts both `--x a b` and `--x a,b`.</summary>
    private static List<string> Split(IReadOnlyList<string> values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
}
