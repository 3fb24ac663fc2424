namespace TraceProbe.Encoders;

/// <summary>Where ONNX files live: --models, else $TRACEPROBE_MODELS, else the models folder beside the program.</summary>
public static class ModelsFolder
{
    public static string Resolve(string? explicitPath = null) =>
        explicitPath
        ?? Environment.GetEnvironmentVariable("TRACEPROBE_MODELS")
        ?? Path.Combine(AppContext.BaseDirectory, "models");

    public static string PathOf(EncoderSpec spec, string modelsFolder) => Path.Combine(modelsFolder, spec.Model.Path);

    public static bool IsInstalled(EncoderSpec spec, string modelsFolder) => File.Exists(PathOf(spec, modelsFolder));
}
