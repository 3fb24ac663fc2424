using System.Text.Json;

namespace TraceProbe.Embeddings;

/// <summary>
/// What an embeddings file says of each item besides its embedding: key, processing, source photo, crop, split,
/// whether it was embedded, and, where the task has them, its semantic class and acquisition label. Codes into small
/// vocabularies, so memory and file size grow by a few bytes per item.
/// </summary>
public sealed record ItemColumns
{
    public required IReadOnlyList<string> Keys { get; init; }
    public required CodedColumn Processing { get; init; }
    /// <summary>The source photo of each item (its names are the vocabulary): crops and processed copies of one photo share it.</summary>
    public required CodedColumn Photos { get; init; }
    /// <summary>The crop of its photo each item is (0 for whole images).</summary>
    public required int[] Crops { get; init; }
    /// <summary>Whether each item has an embedding (a skipped input leaves a row of zeros).</summary>
    public required bool[] Done { get; init; }
    /// <summary>train | val | test per item; null when the writer gave no split.</summary>
    public CodedColumn? Split { get; init; }
    /// <summary>The semantic class of each item's photo (−1: none), for kNN influence.</summary>
    public CodedColumn? Semantic { get; init; }
    /// <summary>The acquisition class of each item (acquisition tasks).</summary>
    public CodedColumn? Labels { get; init; }

    public int Count => Processing.Count;

    /// <summary>The metadata keys that described items in files of the first layout (JSON arrays, one entry per item).</summary>
    private static readonly IReadOnlySet<string> LegacyItemKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "keys", "processing", "dim", EmbeddingsFile.PhotosKey, EmbeddingsFile.CropsKey, EmbeddingsFile.SplitKey,
        EmbeddingsFile.DoneKey, EmbeddingsFile.SemanticKey, EmbeddingsFile.LabelsKey,
    };

    /// <summary>
    /// Columns for the items of a set whose per-item data are JSON arrays in its metadata (files of the first layout,
    /// and writers that build such metadata): each array must have one entry per item.
    /// </summary>
    public static ItemColumns FromMetadata(IReadOnlyList<string> keys, IReadOnlyList<string> processing, IReadOnlyDictionary<string, string> metadata, string source)
    {
        T[]? Array<T>(string key)
        {
            if (!metadata.TryGetValue(key, out var json)) return null;
            T[]? values;
            try { values = JsonSerializer.Deserialize<T[]>(json); }
            catch (JsonException e) { throw new InvalidDataException($"{source}: metadata '{key}' is not a JSON array of {typeof(T).Name}: {e.Message}"); }
            if (values is null || values.Length != keys.Count)
                throw new InvalidDataException($"{source}: metadata '{key}' has {values?.Length ?? 0} entries for {keys.Count} embeddings.");
            return values;
        }
        if (processing.Count != keys.Count)
            throw new InvalidDataException($"{source}: {keys.Count} keys and {processing.Count} processing ids.");
        var labels = Array<int>(EmbeddingsFile.LabelsKey);
        var classes = metadata.TryGetValue(EmbeddingsFile.ClassesKey, out var c) ? JsonSerializer.Deserialize<string[]>(c) ?? [] : [];
        return new ItemColumns
        {
            Keys = keys,
            Processing = CodedColumn.Encode(processing),
            Photos = CodedColumn.Encode(Array<string>(EmbeddingsFile.PhotosKey) ?? keys.Select(PhotoOfLegacyKey).ToArray()),
            Crops = Array<int>(EmbeddingsFile.CropsKey) ?? keys.Select(CropOfLegacyKey).ToArray(),
            Done = Array<bool>(EmbeddingsFile.DoneKey) ?? Enumerable.Repeat(true, keys.Count).ToArray(),
            Split = Array<string>(EmbeddingsFile.SplitKey) is { } split ? CodedColumn.Encode(split) : null,
            Semantic = Array<string?>(EmbeddingsFile.SemanticKey) is { } semantic ? CodedColumn.Encode(semantic) : null,
            Labels = labels is null ? null : new CodedColumn(classes, labels).Validated(source, EmbeddingsFile.LabelsKey, optional: true),
        };
    }

    /// <summary>The metadata that describe the file, not its items.</summary>
    public static IReadOnlyDictionary<string, string> FileMetadata(IReadOnlyDictionary<string, string> metadata) =>
        metadata.Where(kv => !LegacyItemKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    // Files written before `photos`/`crops` existed keyed items "photo#cropN"; only that exact suffix is split off,
    // so a photo name containing '#' keeps it.
    private static string PhotoOfLegacyKey(string key) =>
        LegacyCropAt(key) is var at and >= 0 ? key[..at] : key;

    private static int CropOfLegacyKey(string key) =>
        LegacyCropAt(key) is var at and >= 0 ? int.Parse(key[(at + 5)..], System.Globalization.CultureInfo.InvariantCulture) : 0;

    private static int LegacyCropAt(string key)
    {
        var at = key.LastIndexOf("#crop", StringComparison.Ordinal);
        return at >= 0 && at + 5 < key.Length && key[(at + 5)..].All(char.IsAsciiDigit) ? at : -1;
    }
}
