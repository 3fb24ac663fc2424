using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TraceProbe.Acquisition;
using TraceProbe.Images;
using TraceProbe.Common;

namespace TraceProbe.Datasets;

/// <summary>
/// FlickrExif as the paper's authors publish it: the table (<c>flickrexif.csv</c>, a CSV export of the published
/// parquet: Flickr ID, url, owner, Make, Model, Exposure, Aperture, ISO Speed, Focal Length), the images the user
/// downloads (<c>images/&lt;Flickr ID&gt;.*</c>), and the reference code's splits
/// (<c>splits/split_data_target_attribute=&lt;Attribute&gt;.json</c>: train_ids, val_ids, test_ids, the encoded
/// labels and label_encoder_classes). Labels come from the table; a published split brings its own class names.
/// </summary>
public static partial class FlickrExifDataset
{
    public const string TableName = "flickrexif.csv";

    /// <summary>The published split files' attribute names → our acquisition attributes.</summary>
    public static readonly IReadOnlyDictionary<string, string> Attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Make"] = "make", ["Model"] = "model", ["Smartphone Model"] = "smartphone_model", ["Is Smartphone"] = "is_smartphone",
        ["Exposure"] = "exposure", ["Aperture"] = "aperture", ["ISO Speed"] = "iso", ["Focal Length"] = "focal_length",
        ["Flash"] = "flash", ["Year"] = "year",
    };

    public static Dataset Read(string root)
    {
        var table = CsvTable.Read(Path.Combine(root, TableName));
        int id = table.OptionalColumn("Flickr ID") ?? table.Column("id"), make = table.Column("Make"), model = table.Column("Model");
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
        var (splits, classes) = ReadSplits(Path.Combine(root, "splits"));
        return new Dataset { Root = root, Photos = photos, AcquisitionLabels = labels, Splits = splits, SplitClasses = classes, Skipped = skipped };
    }

    private sealed record SplitFile(
        [property: System.Text.Json.Serialization.JsonPropertyName("train_ids")] string[]? TrainIds,
        [property: System.Text.Json.Serialization.JsonPropertyName("val_ids")] string[]? ValIds,
        [property: System.Text.Json.Serialization.JsonPropertyName("test_ids")] string[]? TestIds,
        [property: System.Text.Json.Serialization.JsonPropertyName("encoded_train_labels")] int[]? TrainLabels,
        [property: System.Text.Json.Serialization.JsonPropertyName("encoded_val_labels")] int[]? ValLabels,
        [property: System.Text.Json.Serialization.JsonPropertyName("encoded_test_labels")] int[]? TestLabels,
        [property: System.Text.Json.Serialization.JsonPropertyName("label_encoder_classes")] JsonElement[]? Classes);

    /// <summary>Per attribute: the side of each Flickr ID, and its published class name.</summary>
    private static (Dictionary<string, IReadOnlyDictionary<string, string>>?, Dictionary<string, IReadOnlyDictionary<string, string>>?) ReadSplits(string folder)
    {
        if (!Directory.Exists(folder)) return (null, null);
        var sides = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        var names = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        const string prefix = "split_data_target_attribute=";
        foreach (var file in Directory.EnumerateFiles(folder, prefix + "*.json").Order(StringComparer.Ordinal))
        {
            var published = Path.GetFileNameWithoutExtension(file)[prefix.Length..];
            if (!Attributes.TryGetValue(published, out var attribute))
                throw new InvalidDataException($"{file}: unknown attribute '{published}' (known: {string.Join(", ", Attributes.Keys)}).");
            var split = JsonSerializer.Deserialize<SplitFile>(File.ReadAllText(file)) ?? throw new InvalidDataException($"{file}: empty split.");
            var classNames = split.Classes?.Select(c => c.ValueKind == JsonValueKind.String ? c.GetString()! : c.GetRawText()).ToArray() ?? [];
            var side = new Dictionary<string, string>(StringComparer.Ordinal);
            var name = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (part, ids, encoded) in new[] { ("train", split.TrainIds, split.TrainLabels), ("val", split.ValIds, split.ValLabels), ("test", split.TestIds, split.TestLabels) })
            {
                if (ids is null) throw new InvalidDataException($"{file}: no {part}_ids.");
                if (encoded is not null && encoded.Length != ids.Length)
                    throw new InvalidDataException($"{file}: {ids.Length} {part}_ids but {encoded.Length} encoded_{part}_labels.");
                for (var i = 0; i < ids.Length; i++)
                {
                    if (!side.TryAdd(ids[i], part))
                        throw new InvalidDataException($"{file}: Flickr ID {ids[i]} is in both {side[ids[i]]} and {part}.");
                    if (encoded is not null)
                        name[ids[i]] = (uint)encoded[i] < (uint)classNames.Length
                            ? classNames[encoded[i]]
                            : throw new InvalidDataException($"{file}: label {encoded[i]} of {ids[i]} is outside label_encoder_classes.");
                }
            }
            sides[attribute] = side;
            if (name.Count > 0) names[attribute] = name;
        }
        return (sides.Count > 0 ? sides : null, names.Count > 0 ? names : null);
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
