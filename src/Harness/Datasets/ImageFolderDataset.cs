using TraceProbe.Images;

namespace TraceProbe.Datasets;

/// <summary>A folder of images; images in sub-folders take the top sub-folder's name as semantic class (ImageNet style).</summary>
public static class ImageFolderDataset
{
    public static Dataset Read(string folder)
    {
        var photos = PhotoCollection.FromFolder(folder);
        var labels = photos.Select(p => p.Key.Contains('/') ? p.Key[..p.Key.IndexOf('/')] : null).ToList();
        return new Dataset { Root = folder, Photos = photos, SemanticLabels = labels.Any(l => l is not null) ? labels : null };
    }
}
