namespace TraceProbe.Datasets;

/// <summary>Opens whichever layout a path holds: a manifest CSV, a FlickrExif root, or a folder of images.</summary>
public static class DatasetLoader
{
    public static Dataset Open(string path)
    {
        if (File.Exists(path) && path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return ManifestDataset.Read(path);
        if (!Directory.Exists(path))
            throw new DirectoryNotFoundException($"'{path}' is neither a folder of images, a FlickrExif folder nor a manifest .csv file.");
        // FlickrExif's table or published split files beside images/ make the folder FlickrExif, not a plain photo folder.
        if (FlickrExifDataset.IsLayout(path)) return FlickrExifDataset.Read(path) with { Layout = DatasetLayouts.FlickrExif };
        return ImageFolderDataset.Read(path);
    }
}
