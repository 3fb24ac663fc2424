namespace TraceProbe.Encoders;

/// <summary>The encoder is registered but its ONNX file is not in the models folder.</summary>
public sealed class EncoderNotInstalledException(EncoderSpec spec, string expectedPath)
    : Exception($"Encoder '{spec.Id}' is not installed: {expectedPath} does not exist. {InstallHint(spec)}")
{
    public EncoderSpec Spec { get; } = spec;
    public string ExpectedPath { get; } = expectedPath;

    public static string InstallHint(EncoderSpec spec) => spec.Source.Library == "nuget"
        ? $"It ships in the NuGet package {spec.Model.Package}; rebuild the program to copy it into the models folder."
        : $"Export it with: python3 tools/export_onnx.py --encoder {spec.Id} --models <models folder>";
}
