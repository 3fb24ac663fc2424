using TraceProbe.Common;
using TraceProbe.Images;

namespace TraceProbe.Datasets;

/// <summary>
/// A manifest CSV: a <c>path</c> column (relative to the CSV's folder, or absolute) and optional label columns;
/// a <c>label</c> (or <c>class</c>) column gives the semantic class. Listed files that do not exist are skipped.
/// </summary>
public static class ManifestDataset
{
    public static Dataset Read(string csvPath)
    {
        var table = CsvTable.Read(csvPath);
        var pathColumn = table.Column("path");
        var labelColumn = table.OptionalColumn("label") ?? table.OptionalColumn("class");
        var root = Path.GetDirectoryName(Path.GetFullPath(csvPath))!;
        var photos = new List<Photo>();
        var labels = new List<string?>();
        var skipped = new List<SkippedInput>();
        foreach (var row in table.Rows)
        {
            var relative = row[pathColumn].Trim();
            var full = Path.GetFullPath(Path.Combine(root, relative));
            if (!File.Exists(full))
            {
                skipped.Add(new SkippedInput(full, $"listed in {csvPath} but missing"));
                continue;
            }
            photos.Add(new Photo(relative.Replace('\\', '/'), full));
            labels.Add(labelColumn is { } c && row[c].Trim().Length > 0 ? row[c].Trim() : null);
        }
        if (photos.Count == 0) throw new InvalidDataException($"{csvPath}: none of the {table.Rows.Count} listed images exists.");
        return new Dataset
        {
            Root = root,
            Photos = photos,
            Layout = DatasetLayouts.Manifest,
            SemanticLabels = labels.Any(l => l is not null) ? labels : null,
            Skipped = skipped,
        };
    }
}
