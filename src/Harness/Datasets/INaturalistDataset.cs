using System.Text.Json;
using TraceProbe.Common;
using TraceProbe.Images;

namespace TraceProbe.Datasets;

/// <summary>
/// iNaturalist 2018 with the reference's split files, <c>train2018.json</c> and <c>val2018.json</c> (COCO style:
/// images with file_name, annotations with image_id and category_id, categories), in the dataset's root or in
/// <c>data/splits/iNaturalist2018/</c>. The images lie where file_name says, under the root
/// (<c>train_val2018/&lt;supercategory&gt;/&lt;category&gt;/&lt;file&gt;.jpg</c>, also found under torchvision's
/// <c>2018/</c> folder); the semantic class is the category. The
/// paper's kNN on iNaturalist uses k = 1. Listed images that are missing make one summarised skipped line per file.
/// </summary>
public static class INaturalistDataset
{
    public static readonly string[] SplitNames = ["train2018.json", "val2018.json"];

    public static string? SplitFolder(string root) =>
        new[] { root, Path.Combine(root, "data", "splits", "iNaturalist2018") }
            .FirstOrDefault(f => SplitNames.All(n => File.Exists(Path.Combine(f, n))));

    public static bool IsLayout(string root) => SplitFolder(root) is not null;

    public static Dataset Read(string root)
    {
        var folder = SplitFolder(root) ?? throw new FileNotFoundException($"'{root}' has no {string.Join(" and ", SplitNames)}.");
        var photos = new List<Photo>();
        var classes = new List<string?>();
        var sides = new List<string>();
        var skipped = new List<SkippedInput>();
        var departures = new List<string>();
        var layout = 0;
        foreach (var (name, side) in SplitNames.Zip(TrainValFolderDataset.Sides))
        {
            var file = Path.Combine(folder, name);
            var missing = new List<string>();
            var listed = 0;
            foreach (var (fileName, category) in Images(file))
            {
                listed++;
                if (Locate(root, fileName, ref layout) is not { } path)
                {
                    missing.Add(fileName);
                    continue;
                }
                photos.Add(new Photo(fileName.Replace('\\', '/'), path));
                classes.Add(category);
                sides.Add(side);
            }
            if (missing.Count > 0)
                departures.Add($"{name}: {missing.Count:N0} of {listed:N0} listed images missing, so the {side} side is not the published one");
            if (missing.Count > 0)
                skipped.Add(new SkippedInput(file, $"{missing.Count:N0} of {listed:N0} listed images are not under {root} (e.g. {string.Join(", ", missing.Take(3))}{(missing.Count > 3 ? ", …" : "")})"));
        }
        foreach (var side in TrainValFolderDataset.Sides.Where(s => !sides.Contains(s)))
            throw new InvalidDataException($"'{root}': none of the images listed for {side} exists.");
        return new Dataset
        {
            Root = root,
            Photos = photos,
            Layout = DatasetLayouts.INaturalist2018,
            SemanticLabels = classes,
            GivenSides = sides,
            PaperK = 1,
            Skipped = skipped,
            Departures = departures,
        };
    }

    /// <summary>
    /// Where a listed file_name lies: under the root as listed, under <c>2018/</c> (torchvision's INaturalist root),
    /// or without its first folder (<c>train_val2018/</c>) in either. The layout that found the last file is tried
    /// first, so a whole dataset costs about one lookup per image.
    /// </summary>
    private static string? Locate(string root, string fileName, ref int layout)
    {
        var slash = fileName.IndexOf('/');
        var inner = slash >= 0 ? fileName[(slash + 1)..] : fileName;
        string[] candidates = [Path.Combine(root, fileName), Path.Combine(root, "2018", fileName), Path.Combine(root, "2018", inner), Path.Combine(root, inner)];
        for (var k = 0; k < candidates.Length; k++)
        {
            var i = (layout + k) % candidates.Length;
            if (File.Exists(candidates[i]))
            {
                layout = i;
                return candidates[i];
            }
        }
        return null;
    }

    /// <summary>(file_name, category) of every image that has an annotation, in the file's order.</summary>
    private static IEnumerable<(string FileName, string Category)> Images(string file)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(file));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: not valid JSON ({e.Message}).", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (!root.TryGetProperty("images", out var images) || !root.TryGetProperty("annotations", out var annotations))
                throw new InvalidDataException($"{file}: expected COCO-style 'images' and 'annotations' arrays.");
            var categoryOf = new Dictionary<long, string>();
            foreach (var a in annotations.EnumerateArray())
                categoryOf[a.GetProperty("image_id").GetInt64()] = a.GetProperty("category_id").GetRawText();
            var result = new List<(string, string)>();
            foreach (var image in images.EnumerateArray())
            {
                var id = image.GetProperty("id").GetInt64();
                var name = image.GetProperty("file_name").GetString()
                    ?? throw new InvalidDataException($"{file}: image {id} has no file_name.");
                if (categoryOf.TryGetValue(id, out var category))
                    result.Add((name, category));
            }
            return result;
        }
    }
}
