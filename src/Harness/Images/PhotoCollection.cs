namespace TraceProbe.Images;

/// <summary>A source photo: its key (path relative to the collection's root, '/'-separated) and its file.</summary>
public sealed record Photo(string Key, string Path);

/// <summary>The image files of a folder, in a stable (ordinal) order so that seeded splits are reproducible.</summary>
public static class PhotoCollection
{
    private static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp",
    };

    /// <summary>
    /// Extensions of images the harness cannot decode but the reference can (it registers pillow_heif): counted,
    /// so that a run can say how many photos of a dataset it left out, instead of not seeing them at all.
    /// </summary>
    public static readonly IReadOnlyList<string> UndecodedExtensions = [".heic", ".heif"];

    /// <summary>The files under a folder (not recursive) with an <see cref="UndecodedExtensions"/> extension.</summary>
    public static IReadOnlyList<string> UndecodedFiles(string folder) => !Directory.Exists(folder) ? [] :
        Directory.EnumerateFiles(folder).Where(f => UndecodedExtensions.Contains(System.IO.Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>The photos bundled with the program (a few downscaled, openly licensed photos).</summary>
    public static string BundledFolder => System.IO.Path.Combine(AppContext.BaseDirectory, "photos");

    public static IReadOnlyList<Photo> FromFolder(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Image folder '{folder}' does not exist. Pass --images DIR with a folder of photos.");
        var photos = FromFolderOrEmpty(folder);
        if (photos.Count == 0)
            throw new InvalidDataException($"Image folder '{folder}' holds no image files ({string.Join(", ", Extensions.Order())}).");
        return photos;
    }

    /// <summary>The image files under a folder (recursively), keyed by relative path; empty when there are none.</summary>
    public static IReadOnlyList<Photo> FromFolderOrEmpty(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(System.IO.Path.GetExtension(f)))
            .Select(f => new Photo(System.IO.Path.GetRelativePath(folder, f).Replace('\\', '/'), f))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToList();
}
