using System.Text.Json;
using TraceProbe.Acquisition;

namespace TraceProbe.Datasets;

/// <summary>
/// The reference code's FlickrExif split files, <c>split_data_target_attribute=&lt;Attribute&gt;.json</c>: train_ids,
/// val_ids, test_ids (JSON integers as published, or strings), encoded_*_labels and label_encoder_classes (strings
/// as published, e.g. "2000.0" for Year).
/// </summary>
public static class FlickrExifSplitFile
{
    public const string Prefix = "split_data_target_attribute=";

    /// <summary>The published attribute names → our acquisition attributes.</summary>
    public static readonly IReadOnlyDictionary<string, string> Attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Make"] = "make", ["Model"] = "model", ["Smartphone Model"] = "smartphone_model", ["Is Smartphone"] = "is_smartphone",
        ["Exposure"] = "exposure", ["Aperture"] = "aperture", ["ISO Speed"] = "iso", ["Focal Length"] = "focal_length",
        ["Flash"] = "flash", ["Year"] = "year",
    };

    /// <summary>The split files of a folder, in name order.</summary>
    public static IReadOnlyList<string> In(string folder) => Directory.Exists(folder)
        ? Directory.EnumerateFiles(folder, Prefix + "*.json").Order(StringComparer.Ordinal).ToList()
        : [];

    public static PublishedSplit Read(string file)
    {
        var published = Path.GetFileNameWithoutExtension(file)[Prefix.Length..];
        if (!Attributes.TryGetValue(published, out var attribute))
            throw new InvalidDataException($"{file}: unknown attribute '{published}' (known: {string.Join(", ", Attributes.Keys)}).");
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: not valid JSON ({e.Message}).", e);
        }
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{file}: expected a JSON object.");
        if (root.TryGetProperty("target_attribute", out var target) && target.ValueKind == JsonValueKind.String
            && !string.Equals(target.GetString(), published, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{file}: target_attribute is '{target.GetString()}', the file name says '{published}'.");

        var classes = root.TryGetProperty("label_encoder_classes", out var c) && c.ValueKind == JsonValueKind.Array
            ? c.EnumerateArray().Select(Text).ToArray()
            : throw new InvalidDataException($"{file}: no label_encoder_classes array.");
        var entries = new List<PublishedSplitEntry>();
        foreach (var side in PublishedSplit.Sides)
        {
            if (!root.TryGetProperty($"{side}_ids", out var ids) || ids.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{file}: no {side}_ids array.");
            if (!root.TryGetProperty($"encoded_{side}_labels", out var labels) || labels.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{file}: no encoded_{side}_labels array.");
            if (ids.GetArrayLength() != labels.GetArrayLength())
                throw new InvalidDataException($"{file}: {ids.GetArrayLength()} {side}_ids but {labels.GetArrayLength()} encoded_{side}_labels.");
            foreach (var (id, label) in ids.EnumerateArray().Zip(labels.EnumerateArray()))
            {
                if (id.ValueKind is not (JsonValueKind.Number or JsonValueKind.String))
                    throw new InvalidDataException($"{file}: {side}_ids holds {id.GetRawText()}, expected an integer or a string id.");
                if (!label.TryGetInt32(out var l) || (uint)l >= (uint)classes.Length)
                    throw new InvalidDataException($"{file}: label {label.GetRawText()} of id {Text(id)} is outside label_encoder_classes (0..{classes.Length - 1}).");
                entries.Add(new PublishedSplitEntry(Text(id), side, l));
            }
        }
        return new PublishedSplit(attribute, file, classes, entries);
    }

    /// <summary>A JSON string as it is, anything else as its JSON text (integer ids, numeric class names).</summary>
    private static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
}
