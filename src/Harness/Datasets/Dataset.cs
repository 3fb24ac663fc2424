using TraceProbe.Acquisition;
using TraceProbe.Images;
using TraceProbe.Common;

namespace TraceProbe.Datasets;

/// <summary>
/// Photos to run on, with what a layout says about them: a semantic class (class folders, a manifest column),
/// acquisition labels from a table instead of EXIF, given acquisition splits, and the files it names that are missing.
/// </summary>
public sealed record Dataset
{
    public required string Root { get; init; }
    public required IReadOnlyList<Photo> Photos { get; init; }
    /// <summary>Semantic class per photo (null where the layout gives none).</summary>
    public IReadOnlyList<string?>? SemanticLabels { get; init; }
    /// <summary>Acquisition labels per photo from the dataset's table; null: read them from EXIF.</summary>
    public IReadOnlyList<ExifLabels?>? AcquisitionLabels { get; init; }
    /// <summary>Per attribute, the published split of each photo key (train / val / test).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? Splits { get; init; }
    /// <summary>Per attribute, the published class name of each photo key in its split (FlickrExif).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? SplitClasses { get; init; }
    public IReadOnlyList<SkippedInput> Skipped { get; init; } = [];
}
