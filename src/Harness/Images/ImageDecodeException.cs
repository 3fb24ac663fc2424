namespace TraceProbe.Images;

/// <summary>An input that cannot be used as an image; callers record (Path, Reason) as skipped and go on.</summary>
public sealed class ImageDecodeException(string path, string reason, Exception? inner = null)
    : Exception($"Cannot decode '{path}': {reason}", inner)
{
    public string Path { get; } = path;

    public string Reason { get; } = reason;
}
