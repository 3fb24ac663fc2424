using System.Text.RegularExpressions;
using TraceProbe.Common;
using TraceProbe.Images;

namespace TraceProbe.Datasets;

/// <summary>
/// A dataset with its own split in class folders, as torchvision's ImageFolder (and its ImageNet) reads it:
/// <c>train/&lt;class&gt;/*</c> and <c>val/&lt;class&gt;/*</c>. ImageNet's layout (<c>train/n01440764/*.JPEG</c>) is the
/// case where every class is a WordNet id. Images not inside a class folder are skipped, as ImageFolder ignores them.
/// </summary>
public static partial class TrainValFolderDataset
{
    public static readonly string[] Sides = ["train", "val"];

    /// <summary>Whether a folder has train/ and val/ sub-folders that hold class folders.</summary>
    public static bool IsLayout(string root) =>
        Sides.All(s => Directory.Exists(Path.Combine(root, s)) && Directory.EnumerateDirectories(Path.Combine(root, s)).Any());

    public static Dataset Read(string root)
    {
        var photos = new List<Photo>();
        var classes = new List<string?>();
        var sides = new List<string>();
        var skipped = new List<SkippedInput>();
        foreach (var side in Sides)
        {
            var folder = Path.Combine(root, side);
            foreach (var photo in PhotoCollection.FromFolderOrEmpty(folder))
            {
                var slash = photo.Key.IndexOf('/');
                if (slash < 0)
                {
                    skipped.Add(new SkippedInput(photo.Path, $"not inside a class folder of {side}/ (ImageFolder ignores it)"));
                    continue;
                }
                photos.Add(photo with { Key = $"{side}/{photo.Key}" });
                classes.Add(photo.Key[..slash]);
                sides.Add(side);
            }
        }
        foreach (var side in Sides.Where(s => !sides.Contains(s)))
            throw new InvalidDataException($"'{Path.Combine(root, side)}' holds no image inside a class folder.");
        var imageNet = classes.All(c => WordNetId().IsMatch(c!));
        return new Dataset
        {
            Root = root,
            Photos = photos,
            Layout = imageNet ? DatasetLayouts.ImageNet : DatasetLayouts.TrainVal,
            SemanticLabels = classes,
            GivenSides = sides,
            Skipped = skipped,
            // Part of ImageNet is not the paper's ImageNet: a class or image subset says so.
            Departures = imageNet && PublishedExtent.ImageNet.Subset(sides, classes) is { } subset ? [subset] : [],
        };
    }

    [GeneratedRegex(@"^n\d{8}$")]
    private static partial Regex WordNetId();
}
