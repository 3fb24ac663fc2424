using System.Text.Json;

namespace TraceProbe.Embeddings;

/// <summary>
/// The photos an embeddings file was embedded from, as the run's summary names them in <c>manifest.dataset</c>: the
/// folder, the layout it was read as, how many photos, and the SHA-256 of their names and sizes. `run`, `merge`,
/// `extract` and `retrieval` write it under <see cref="Key"/> so that `probe` and `knn` on the file can name the same
/// photos; it is optional, as files of other tools and older files have none (docs/embeddings-format.md).
/// </summary>
public sealed record SourceDataset(string Root, string Layout, int Files, string Sha256)
{
    /// <summary>The metadata key, its value this record as JSON (the summary's own field names).</summary>
    public const string Key = "source_dataset";

    // The file's own JSON settings: a change to the summary's format must not change what files already hold.
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>
    /// The record in <paramref name="metadata"/>, or null where the file has none; a value that is not one is an error
    /// naming <paramref name="source"/>, raised when the file is opened rather than after hours of probing.
    /// </summary>
    public static SourceDataset? From(IReadOnlyDictionary<string, string> metadata, string source)
    {
        if (!metadata.TryGetValue(Key, out var json)) return null;
        SourceDataset? read;
        try { read = JsonSerializer.Deserialize<SourceDataset>(json, JsonOptions); }
        catch (JsonException e) { throw Malformed(source, e.Message); }
        return read is { Root: not null, Layout: not null, Files: >= 0, Sha256.Length: 64 } && read.Sha256.All(char.IsAsciiHexDigitLower)
            ? read
            : throw Malformed(source, json);
    }

    /// <summary>Whether two records name the same photos, wherever each machine mounted them.</summary>
    public bool SamePhotos(SourceDataset other) => Files == other.Files && Sha256 == other.Sha256 && Layout == other.Layout;

    private static InvalidDataException Malformed(string source, string why) =>
        new($"{source}: metadata '{Key}' is not {{\"root\", \"layout\", \"files\", \"sha256\"}} (the photos it was embedded from): {why}");
}
