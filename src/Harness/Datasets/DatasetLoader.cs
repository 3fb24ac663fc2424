namespace TraceProbe.Datasets;

/// <summary>
/// Opens whichever layout a path holds: a manifest CSV, FlickrExif (its table or published split files beside
/// images/), iNaturalist 2018 (train2018.json + val2018.json), a train/ + val/ pair of class folders (ImageNet's
/// layout among them), or a folder of images.
/// </summary>
public static class DatasetLoader
{
    public static Dataset Open(string path)
    {
        if (File.Exists(path) && path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return ManifestDataset.Read(path);
        if (!Directory.Exists(path))
            throw new DirectoryNotFoundException($"'{path}' is neither a folder of images, a dataset folder (FlickrExif, iNaturalist 2018, train/ + val/) nor a manifest .csv file.");
        // Split files make a folder a dataset with given splits, not a plain photo folder.
        if (FlickrExifDataset.IsLayout(path)) return FlickrExifDataset.Read(path);
        if (INaturalistDataset.IsLayout(path)) return INaturalistDataset.Read(path);
        if (TrainValFolderDataset.IsLayout(path)) return TrainValFolderDataset.Read(path);
        return ImageFolderDataset.Read(path);
    }
}
