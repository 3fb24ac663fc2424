namespace TraceProbe.Common;

/// <summary>An input that could not be used, and why. Every stage reports these; the summary lists them under `skipped`.</summary>
public sealed record SkippedInput(string Path, string Reason);
