using System.Security.Cryptography;
using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TraceProbe.Encoders;

namespace TraceProbe.Tests.Pipeline;

/// <summary>
/// The fixtures written by tools/reference_pipeline.py: real JPEG photos, and what Pillow 9.4, torchvision 0.14 and
/// PyTorch 1.13 made of them. TRACEPROBE_REFERENCE_DIR points the tests at another folder the script wrote
/// (run with --photos and --out), e.g. to measure on more photos than the repository carries.
/// </summary>
internal static class ReferencePipeline
{
    public static readonly string Dir = Environment.GetEnvironmentVariable("TRACEPROBE_REFERENCE_DIR")
        ?? Path.Combine(FindRoot(), "tests", "Harness.Tests", "Pipeline", "reference");

    public static string PhotosDir => Environment.GetEnvironmentVariable("TRACEPROBE_REFERENCE_PHOTOS") ?? Path.Combine(Dir, "photos");

    public static string ModelsDir => Path.Combine(Dir, "models");

    public const string EncoderId = "reference-mobilenetv3";

    public static EncoderSpec Encoder => EncoderRegistry.Find(EncoderId)
        ?? throw new InvalidOperationException($"encoders.json has no '{EncoderId}' entry.");

    private static readonly Lazy<JsonDocument> Manifest = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "reference.json"))));

    public static JsonElement Root => Manifest.Value.RootElement;

    public static IReadOnlyList<JsonElement> Photos => Root.GetProperty("photos").EnumerateArray().ToList();

    public static JsonElement Photo(string key) => Photos.Single(p => p.GetProperty("key").GetString() == key);

    public static string PathOf(string key) => Path.Combine(PhotosDir, key);

    public static string Sha256(Image<Rgb24> image)
    {
        var bytes = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(bytes);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Harness.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Repository root (Harness.sln) not found above the test binaries.");
    }
}
