using System.Reflection;

namespace TraceProbe.Common;

/// <summary>
/// The versions of the libraries that turn a file into numbers: the codecs (libjpeg-turbo inside libvips' native
/// library, through NetVips; ImageSharp; MetadataExtractor for EXIF) and ONNX Runtime. Both the run manifest and the embedding cache
/// key read them here, so that the two always name the same libraries.
/// </summary>
public static class LibraryVersions
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Cached = new(Read);

    /// <summary>Name → version, sorted by name.</summary>
    public static IReadOnlyDictionary<string, string> All => Cached.Value;

    /// <summary>The versions that can change a rendered pixel or an embedding (not EXIF's reader): part of the cache key.</summary>
    public static string Rendering => string.Join(";", All.Where(kv => kv.Key != "metadataextractor").Select(kv => $"{kv.Key}={kv.Value}"));

    private static IReadOnlyDictionary<string, string> Read() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["onnxruntime"] = Of(typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly),
        ["onnxruntime_native"] = Guard(() => Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString()),
        ["netvips"] = Of(typeof(NetVips.Image).Assembly),
        // The native library holds the libjpeg-turbo that decodes and encodes JPEG.
        ["libvips_native"] = Guard(() => NetVips.NetVips.Version(0, false) + "." + NetVips.NetVips.Version(1, false) + "." + NetVips.NetVips.Version(2, false)),
        ["imagesharp"] = Of(typeof(SixLabors.ImageSharp.Image).Assembly),
        ["metadataextractor"] = Of(typeof(MetadataExtractor.ImageMetadataReader).Assembly),
        ["system.numerics.tensors"] = Of(typeof(System.Numerics.Tensors.TensorPrimitives).Assembly),
    };

    private static string Of(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";

    // A native library that cannot load is reported, not fatal: the run that needs it fails with its own message.
    private static string Guard(Func<string> read)
    {
        try { return read(); }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException) { return "not loadable"; }
    }
}
