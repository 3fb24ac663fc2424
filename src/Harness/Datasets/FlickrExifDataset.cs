using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TraceProbe.Acquisition;
using TraceProbe.Images;
using TraceProbe.Results;

namespace TraceProbe.Datasets;

/// <summary>
/// FlickrExif as published: a table of Flickr photos with their EXIF values, images the user downloads
/// (<c>images/&lt;id&gt;.*</c>), and optional balanced splits per attribute (<c>splits/&lt;attribute&gt;.json</c>
/// holding train/val/test id lists). Layout in docs/datasets.md. Labels come from the table, not the files.
/// </summary>
public static partial class FlickrExifDataset
{
    public const string TableName = "flickr_exif.csv";

    public static Dataset Read(string root)
    {
        var table = CsvTable.Read(Path.Combine(root, TableName));
        int id = table.Column("id"), make = table.Column("Make"), model = table.Column("Model");
        int? exposure = table.OptionalColumn("Exposure"), aperture = table.OptionalColumn("Aperture"),
            iso = table.OptionalColumn("ISO Speed"), focal = table.OptionalColumn("Focal Length");
        var images = Path.Combine(root, "images");
        var files = Directory.Exists(images)
            ? Directory.EnumerateFiles(images).GroupBy(f => Path.GetFileNameWithoutExtension(f)).ToDictionary(g => g.Key, g => g.First())
            : [];
        var photos = new List<Photo>();
        var labels = new List<ExifLabels?>();
        var skipped = new List<SkippedInput>();
        foreach (var row in table.Rows)
        {
            var key = row[id].Trim();
            if (!files.TryGetValue(key, out var file))
            {
                skipped.Add(new SkippedInput(Path.Combine(images, key + ".*"), $"in {TableName} but not downloaded"));
                continue;
            }
            var canonicalMake = ExifNormaliser.Make(row[make]);
            var canonicalModel = ExifNormaliser.Model(row[model], canonicalMake);
            photos.Add(new Photo(key, file));
            labels.Add(new ExifLabels
            {
                Path = file,
                Make = canonicalMake,
                Model = canonicalModel,
                IsSmartphone = ExifNormaliser.IsSmartphone(canonicalMake, canonicalModel),
                Exposure = exposure is { } e ? ExifNormaliser.Exposure(Seconds(row[e])) : null,
                Aperture = aperture is { } a ? ExifNormaliser.Aperture(Number(row[a])) : null,
                Iso = iso is { } s && Number(row[s]) is { } n ? ExifNormaliser.Iso((long)n) : null,
                FocalLength = focal is { } f ? ExifNormaliser.FocalLength(Number(row[f])) : null,
            });
        }
        return new Dataset { Root = root, Photos = photos, AcquisitionLabels = labels, Splits = ReadSplits(Path.Combine(root, "splits")), Skipped = skipped };
    }

    private static Dictionary<string, IReadOnlyDictionary<string, string>>? ReadSplits(string folder)
    {
        if (!Directory.Exists(folder)) return null;
        var splits = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var sides = JsonSerializer.Deserialize<Dictionary<string, string[]>>(File.ReadAllText(file))
                ?? throw new InvalidDataException($"{file}: empty split.");
            var of = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (side, ids) in sides)
            {
                if (side is not ("train" or "val" or "test"))
                    throw new InvalidDataException($"{file}: split '{side}', expected train, val or test.");
                foreach (var photoId in ids)
                    if (!of.TryAdd(photoId, side))
                        throw new InvalidDataException($"{file}: photo {photoId} is in both {of[photoId]} and {side}.");
            }
            splits[Path.GetFileNameWithoutExtension(file)] = of;
        }
        return splits;
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
