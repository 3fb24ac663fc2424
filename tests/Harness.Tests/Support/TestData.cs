using TraceProbe.Encoders;
using TraceProbe.Images;

namespace TraceProbe.Tests.Support;

/// <summary>The real model files and bundled photos, as the build copies them beside the tests.</summary>
public static class TestData
{
    public static string ModelsFolder => TraceProbe.Encoders.ModelsFolder.Resolve();

    public static EncoderSpec Resnet18 => EncoderRegistry.Find("resnet18")
        ?? throw new InvalidOperationException("encoders.json has no resnet18 entry.");

    public static IReadOnlyList<Photo> Photos => PhotoCollection.FromFolder(PhotoCollection.BundledFolder);

    /// <summary>A fresh folder holding copies of the first <paramref name="count"/> bundled photos.</summary>
    public static string PhotoFolder(int count)
    {
        var folder = TempFolder("photos");
        foreach (var photo in Photos.Take(count))
            File.Copy(photo.Path, Path.Combine(folder, Path.GetFileName(photo.Path)));
        return folder;
    }

    /// <summary>A fresh folder with the first <paramref name="count"/> bundled photos in two class sub-folders
    /// (even and odd places): what the kNN set-ups need.</summary>
    public static string ClassFolders(int count, string name = "classes")
    {
        var folder = TempFolder(name);
        foreach (var (photo, i) in Photos.Take(count).Select((p, i) => (p, i)))
        {
            var cls = Path.Combine(folder, i % 2 == 0 ? "even" : "odd");
            Directory.CreateDirectory(cls);
            File.Copy(photo.Path, Path.Combine(cls, Path.GetFileName(photo.Path)));
        }
        return folder;
    }

    /// <summary>A fresh folder under the test run's temp folder.</summary>
    public static string TempFolder(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), "traceprobe-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }
}
