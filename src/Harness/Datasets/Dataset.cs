using TraceProbe.Acquisition;
using TraceProbe.Common;
using TraceProbe.Images;

namespace TraceProbe.Datasets;

/// <summary>
/// Photos to run on, with what a layout says about them: a semantic class (class folders, a manifest column, split
/// files), the dataset's own train/val split, acquisition labels from a table instead of EXIF, published
/// acquisition splits, and the files it names that are missing.
/// </summary>
public sealed record Dataset
{
    public required string Root { get; init; }
    public required IReadOnlyList<Photo> Photos { get; init; }
    /// <summary>The layout the folder was read as (see <see cref="DatasetLayouts"/>).</summary>
    public string Layout { get; init; } = DatasetLayouts.Folder;
    /// <summary>Semantic class per photo (null where the layout gives none).</summary>
    public IReadOnlyList<string?>? SemanticLabels { get; init; }
    /// <summary>
    /// The dataset's own side of each photo, "train" or "val" (ImageNet's folders, iNaturalist's split files, any
    /// train/ + val/ pair); null when the layout gives no split.
    /// </summary>
    public IReadOnlyList<string>? GivenSides { get; init; }
    /// <summary>Acquisition labels per photo from the dataset's table; null: read them from EXIF.</summary>
    public IReadOnlyList<ExifLabels?>? AcquisitionLabels { get; init; }
    /// <summary>Published acquisition splits by attribute (FlickrExif).</summary>
    public IReadOnlyDictionary<string, PublishedSplit>? Splits { get; init; }
    /// <summary>Where the photos named by the splits are looked for (FlickrExif's images/).</summary>
    public string? ImagesFolder { get; init; }
    /// <summary>The k of the paper's kNN for this dataset: 10, or 1 for iNaturalist.</summary>
    public int PaperK { get; init; } = 10;
    /// <summary>
    /// How the reference's loader for this dataset treats EXIF orientation: as stored (torchvision's ImageNet loader,
    /// <c>Image.open().convert('RGB')</c> for iNaturalist and folders), upright for FlickrExif (Hugging Face
    /// <c>datasets.Image</c>, which applies <c>exif_transpose</c> since 2.19).
    /// </summary>
    public Orientation SourceOrientation { get; init; } = Orientation.AsStored;
    public IReadOnlyList<SkippedInput> Skipped { get; init; } = [];
    /// <summary>
    /// How the data as found departs from the published dataset the reference reads (HEIC files not decoded, listed
    /// images missing), one line each; the suite lists them with the protocol's departures.
    /// </summary>
    public IReadOnlyList<string> Departures { get; init; } = [];
    /// <summary>Per published split's attribute, how its listed images fall short (listed with the tasks that use it).</summary>
    public IReadOnlyDictionary<string, string> SplitDepartures { get; init; } = new Dictionary<string, string>();
}

/// <summary>A published dataset's size: its train and val images and its classes.</summary>
public sealed record PublishedExtent(string Name, int TrainImages, int ValImages, int Classes)
{
    /// <summary>ILSVRC-2012, the ImageNet of the paper's tables.</summary>
    public static readonly PublishedExtent ImageNet = new("ImageNet (ILSVRC-2012)", 1_281_167, 50_000, 1_000);

    /// <summary>
    /// How the photos present depart from the whole dataset, in words; null when every image and class is there.
    /// </summary>
    public string? Subset(IReadOnlyList<string> sides, IReadOnlyList<string?>? classes)
    {
        int train = sides.Count(s => s == "train"), val = sides.Count(s => s == "val");
        var present = classes?.Where(c => c is not null).Distinct().Count() ?? Classes;
        if (train >= TrainImages && val >= ValImages && present >= Classes) return null;
        return $"a subset of {Name}: {train:N0} of {TrainImages:N0} train and {val:N0} of {ValImages:N0} val images, {present:N0} of {Classes:N0} classes; its numbers are not comparable with the paper's tables";
    }
}

/// <summary>Names of the layouts <see cref="DatasetLoader"/> recognises.</summary>
public static class DatasetLayouts
{
    public const string Folder = "folder", Manifest = "manifest", FlickrExif = "FlickrExif", ImageNet = "ImageNet",
        TrainVal = "train/val folders", INaturalist2018 = "iNaturalist2018";
}
