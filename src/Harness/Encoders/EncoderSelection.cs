using TraceProbe.Common;

namespace TraceProbe.Encoders;

/// <summary>Which registered encoders a job runs, and how their sessions are opened.</summary>
public static class EncoderSelection
{
    /// <summary>The encoders named (any order, duplicates ignored), or by default every installed one.</summary>
    public static IReadOnlyList<EncoderSpec> Select(IReadOnlyList<string> ids, string modelsFolder)
    {
        var wanted = Names.Split(ids);
        if (wanted.Count == 0)
        {
            var installed = EncoderRegistry.All.Where(e => ModelsFolder.IsInstalled(e, modelsFolder)).ToList();
            if (installed.Count == 0)
                throw new SettingsException($"No registered encoder is installed in {modelsFolder}. Run `traceprobe encoders` to see how to install one.");
            return installed;
        }
        var specs = new List<EncoderSpec>();
        foreach (var id in wanted)
        {
            var spec = EncoderRegistry.Find(id)
                ?? throw new SettingsException($"--encoders: unknown encoder '{id}'. Known: {string.Join(", ", EncoderRegistry.All.Select(e => e.Id))}.");
            if (!ModelsFolder.IsInstalled(spec, modelsFolder))
                throw new SettingsException($"--encoders: '{id}' is not installed in {modelsFolder}. {EncoderNotInstalledException.InstallHint(spec)}");
            specs.Add(spec);
        }
        return specs;
    }

    /// <summary>An encoder session on a device with a thread count; notable decisions go to <paramref name="log"/>.</summary>
    public static OnnxEncoder Open(EncoderSpec spec, string modelsFolder, string device, int threads, Action<string>? log) =>
        new(spec, modelsFolder, new EncoderRuntimeOptions
        {
            Device = device,
            IntraOpThreads = threads,
            Log = log,
        });
}
