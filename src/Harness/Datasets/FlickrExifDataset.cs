using System.Globalization;
using System.Text.RegularExpressions;
using TraceProbe.Acquisition;
using TraceProbe.Common;
using TraceProbe.Images;

namespace TraceProbe.Datasets;

/// <summary>
/// FlickrExif as the paper's authors publish it. The reference layout alone is a dataset: the images the user
/// downloads, <c>images/&lt;Flickr ID&gt;.&lt;ext&gt;</c>, and the reference code's split files
/// (<c>split_data_target_attribute=&lt;Attribute&gt;.json</c> in <c>splits/</c>, <c>data/splits/FlickrExif/</c> or the
/// root), whose labels and class names are used as published. The table (the published parquet,
/// <c>flickrexif.parquet</c>, or its CSV export <c>flickrexif.csv</c>), when present, labels the attributes that
/// have no split file. Every image of <c>images/</c> (or, without that folder, of the root) is a photo, keyed by its
/// Flickr ID (the file name's stem), as the reference's extraction globs its folder.
/// </summary>
public static partial class FlickrExifDataset
{
    public const string TableName = "flickrexif.csv";
    public const string ParquetName = "flickrexif.parquet";

    /// <summary>Whether a folder holds FlickrExif: its table or the published split files.</summary>
    public static bool IsLayout(string root) => TableOf(root) is not null || SplitFolder(root) is not null;

    private static string? TableOf(string root) =>
        new[] { ParquetName, TableName }.Select(n => Path.Combine(root, n)).FirstOrDefault(File.Exists);

    private static string? SplitFolder(string root) =>
        new[] { Path.Combine(root, "splits"), Path.Combine(root, "data", "splits", "FlickrExif"), root }
            .FirstOrDefault(f => FlickrExifSplitFile.In(f).Count > 0);

    public static Dataset Read(string root)
    {
        // images/ as laid out here; else the images beside the split files, as the reference's extraction globs its folder.
        var images = Path.Combine(root, "images");
        if (!Directory.Exists(images)) images = root;
        var skipped = new List<SkippedInput>();
        var departures = new List<string>();
        var splitDepartures = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var byId = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in PhotoCollection.FromFolderOrEmpty(images).Where(p => !p.Key.Contains('/')).Select(p => p.Path))
        {
            var id = Path.GetFileNameWithoutExtension(file);
            if (!byId.TryAdd(id, file))
                skipped.Add(new SkippedInput(file, $"a second image for Flickr ID {id} (using {Path.GetFileName(byId[id])})"));
        }
        // Flickr IDs in numeric order, as the reference's sorted glob gives them when they have one length.
        var photos = byId.OrderBy(kv => kv.Key.Length).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new Photo(kv.Key, kv.Value)).ToList();

        List<ExifLabels?>? labels = null;
        if (TableOf(root) is { } tablePath)
        {
            var table = FlickrExifTable.Read(tablePath);
            var fromTable = Labels(table, out var listed);
            labels = photos.Select(p => fromTable.GetValueOrDefault(p.Key) is { } l ? l with { Path = p.Path } : null).ToList();
            var missing = listed.Where(id => !byId.ContainsKey(id)).ToList();
            if (missing.Count > 0)
            {
                skipped.Add(MissingIds(tablePath, missing, listed.Count, images));
                departures.Add($"{missing.Count:N0} of {listed.Count:N0} Flickr IDs of the table have no image under images/ (the reference needs every one)");
            }
        }

        var splits = new Dictionary<string, PublishedSplit>(StringComparer.OrdinalIgnoreCase);
        if (SplitFolder(root) is { } folder)
            foreach (var file in FlickrExifSplitFile.In(folder))
            {
                var split = FlickrExifSplitFile.Read(file);
                splits[split.Attribute] = split;
                // The reference fails (KeyError) on a listed id without an embedding; here it leaves the split.
                var ids = split.Entries.Select(e => e.Id).Distinct(StringComparer.Ordinal).ToList();
                var absent = ids.Count(id => !byId.ContainsKey(id));
                if (absent > 0)
                    splitDepartures[split.Attribute] = $"{absent:N0} of {ids.Count:N0} images its published split lists are missing, so its classes are not the published ones (the reference fails on a missing id)";
            }
        var heic = PhotoCollection.UndecodedFiles(images);
        if (heic.Count > 0)
        {
            departures.Add($"{heic.Count:N0} HEIC/HEIF image(s) under {Path.GetFileName(images)}/ not decoded (the reference decodes them with pillow_heif): convert them losslessly or expect fewer Apple photos");
            skipped.AddRange(heic.Select(f => new SkippedInput(f, "HEIC/HEIF is not decoded by TraceProbe (the reference reads it with pillow_heif)")));
        }
        if (photos.Count == 0)
            throw new InvalidDataException($"FlickrExif folder '{root}' holds no images: download them as images/<Flickr ID>.<ext>.");
        return new Dataset
        {
            Root = root,
            Photos = photos,
            Layout = DatasetLayouts.FlickrExif,
            AcquisitionLabels = labels,
            Splits = splits.Count > 0 ? splits : null,
            ImagesFolder = images,
            Skipped = skipped,
            Departures = departures,
            SplitDepartures = splitDepartures,
            // The reference reads FlickrExif through Hugging Face datasets.Image, which applies exif_transpose (≥ 2.19).
            SourceOrientation = Orientation.Upright,
        };
    }

    /// <summary>
    /// One skipped line for ids a table or split names whose image is not under images/: the count and the first
    /// few ids (a published split names tens of thousands; one line each would bury the rest of the list).
    /// </summary>
    public static SkippedInput MissingIds(string source, IReadOnlyList<string> missing, int listed, string images)
    {
        const int shown = 5;
        var first = string.Join(", ", missing.Take(shown));
        return new SkippedInput(source,
            $"{missing.Count:N0} of {listed:N0} listed Flickr IDs have no image under {images} (e.g. {first}{(missing.Count > shown ? ", …" : "")})");
    }

    /// <summary>The table's labels per Flickr ID, normalised as EXIF labels are; <paramref name="listed"/>: every ID, in table order.</summary>
    private static Dictionary<string, ExifLabels> Labels(FlickrExifTable table, out List<string> listed)
    {
        int id = table.OptionalColumn("Flickr ID") ?? table.Column("id"), make = table.Column("Make"), model = table.Column("Model");
        int? exposure = table.OptionalColumn("Exposure"), aperture = table.OptionalColumn("Aperture"),
            iso = table.OptionalColumn("ISO Speed"), focal = table.OptionalColumn("Focal Length");
        var result = new Dictionary<string, ExifLabels>(StringComparer.Ordinal);
        listed = [];
        foreach (var row in table.Rows)
        {
            if (row[id]?.Trim() is not { Length: > 0 } key) continue;
            listed.Add(key);
            var canonicalMake = ExifNormaliser.Make(row[make] ?? "");
            var canonicalModel = ExifNormaliser.Model(row[model] ?? "", canonicalMake);
            result[key] = new ExifLabels
            {
                Path = key,
                Make = canonicalMake,
                Model = canonicalModel,
                IsSmartphone = ExifNormaliser.IsSmartphone(canonicalMake, canonicalModel),
                Exposure = exposure is { } e && row[e] is { } et ? ExifNormaliser.Exposure(Seconds(et)) : null,
                Aperture = aperture is { } a && row[a] is { } at ? ExifNormaliser.Aperture(Number(at)) : null,
                Iso = iso is { } s && row[s] is { } st && Number(st) is { } n ? ExifNormaliser.Iso((long)n) : null,
                FocalLength = focal is { } f && row[f] is { } ft ? ExifNormaliser.FocalLength(Number(ft)) : null,
            };
        }
        return result;
    }

    /// <summary>"1/250", "1/250 sec", "0.004", "2" → seconds.</summary>
    private static double? Seconds(string text)
    {
        var m = Fraction().Match(text);
        if (!m.Success) return null;
        var value = double.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
        return m.Groups["d"].Success ? value / double.Parse(m.Groups["d"].Value, CultureInfo.InvariantCulture) : value;
    }

    /// <summary>The first number in "f/2.8", "50.0 mm", "ISO 400".</summary>
    private static double? Number(string text) =>
        Decimal().Match(text) is { Success: true } m ? double.Parse(m.Value, CultureInfo.InvariantCulture) : null;

    [GeneratedRegex(@"(?<n>\d+(\.\d+)?)\s*(/\s*(?<d>\d+(\.\d+)?))?")]
    private static partial Regex Fraction();

    [GeneratedRegex(@"-?\d+(\.\d+)?")]
    private static partial Regex Decimal();
}
