namespace TraceProbe.Generators;

/// <summary>Names of the pipeline's steps, so tests can check that each one caches.</summary>
internal static class TrackingNames
{
    public const string RegistryFiles = nameof(RegistryFiles);
    public const string Parsed = nameof(Parsed);
    public const string Registry = nameof(Registry);
    public const string Diagnostics = nameof(Diagnostics);
    public const string Encoders = nameof(Encoders);
    public const string Tasks = nameof(Tasks);
    public const string EncoderIndex = nameof(EncoderIndex);
    public const string TaskIndex = nameof(TaskIndex);
    public const string RegistryHash = nameof(RegistryHash);
}
