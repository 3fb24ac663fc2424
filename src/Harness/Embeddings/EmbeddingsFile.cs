using System.Text.Json;

namespace TraceProbe.Embeddings;

/// <summary>
/// The embeddings file every command writes and reads (`run`, `merge`, `extract`, then `probe`, `knn`): a
/// safetensors container (<see cref="SafetensorsFile"/>) whose string metadata describes each item as structured
/// JSON arrays, one entry per row: `keys`, `processing`, and, where the writer knows them, `photos` (the source
/// photo's key), `crops`, `split` (train | val | test) and `done` (false where the item could not be embedded).
/// This type is the only place that knows those names; the commands ask it, never re-parse keys.
/// </summary>
public sealed class EmbeddingsFile
{
    public const string EncoderKey = "encoder";
    public const string TaskKey = "task";
    public const string SplitKey = "split";
    public const string DoneKey = "done";
    public const string PhotosKey = "photos";
    public const string CropsKey = "crops";

    public EmbeddingSet Set { get; }
    /// <summary>Where the file was read from (for messages); null for a file built in memory.</summary>
    public string Source { get; }
    public string? Encoder => Set.Metadata.GetValueOrDefault(EncoderKey);
    public string? Task => Set.Metadata.GetValueOrDefault(TaskKey);
    /// <summary>train | val | test per item; null when the writer gave no split.</summary>
    public IReadOnlyList<string>? Split { get; }
    /// <summary>Whether each item has an embedding (a skipped input leaves a row of zeros).</summary>
    public IReadOnlyList<bool> Done { get; }
    /// <summary>The source photo of each item: crops and processed copies of one photo share it.</summary>
    public IReadOnlyList<string> Photos { get; }
    /// <summary>The crop of its photo each item is (0 for whole images).</summary>
    public IReadOnlyList<int> Crops { get; }

    public int Count => Set.Count;

    public EmbeddingsFile(EmbeddingSet set, string source = "embeddings")
    {
        Set = set;
        Source = source;
        Split = Array<string>(SplitKey);
        Done = Array<bool>(DoneKey) ?? Enumerable.Repeat(true, set.Count).ToArray();
        Photos = Array<string>(PhotosKey) ?? set.Keys.Select(PhotoOfLegacyKey).ToArray();
        Crops = Array<int>(CropsKey) ?? set.Keys.Select(CropOfLegacyKey).ToArray();
    }

    public static EmbeddingsFile Read(string path) => new(SafetensorsFile.Read(path), path);

    /// <summary>The items' metadata without the embeddings (<c>Set.Embeddings</c> is empty): the rows are then read from the file as needed.</summary>
    public static EmbeddingsFile ReadHeader(string path) => new(SafetensorsFile.ReadHeader(path), path);

    public static void Write(string path, EmbeddingSet set) => SafetensorsFile.Write(path, set);

    /// <summary>The split, or an error that names the file and says how to make one that has it.</summary>
    public IReadOnlyList<string> RequireSplit() => Split
        ?? throw new InvalidDataException($"{Source}: no '{SplitKey}' metadata (train/test per item); write it with `traceprobe run`, `extract` or `embed` + `merge`.");

    /// <summary>The metadata entries that describe items, for writers that build them.</summary>
    public static IReadOnlyDictionary<string, string> ItemMetadata(IEnumerable<string> photos, IEnumerable<int> crops, IEnumerable<string> split) =>
        new Dictionary<string, string>
        {
            [PhotosKey] = JsonSerializer.Serialize(photos),
            [CropsKey] = JsonSerializer.Serialize(crops),
            [SplitKey] = JsonSerializer.Serialize(split),
        };

    private T[]? Array<T>(string key)
    {
        if (!Set.Metadata.TryGetValue(key, out var json)) return null;
        T[]? values;
        try { values = JsonSerializer.Deserialize<T[]>(json); }
        catch (JsonException e) { throw new InvalidDataException($"{Source}: metadata '{key}' is not a JSON array of {typeof(T).Name}: {e.Message}"); }
        if (values is null || values.Length != Set.Count)
            throw new InvalidDataException($"{Source}: metadata '{key}' has {values?.Length ?? 0} entries for {Set.Count} embeddings.");
        return values;
    }

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
