namespace TraceProbe.Embeddings;

/// <summary>
/// Embeddings float32 [N, D] with each item's key and processing id, and string metadata. Writers that know more of
/// each item give it as <see cref="Columns"/>; older writers put per-item JSON arrays in <see cref="Metadata"/>
/// (<see cref="EmbeddingsFile.ItemMetadata"/>), which <see cref="EmbeddingsFile"/> turns into the same columns.
/// <see cref="Embeddings"/> is empty when only a file's header was read (its rows are then read from the file).
/// </summary>
public sealed record EmbeddingSet(float[] Embeddings, int Dim, IReadOnlyList<string> Keys, IReadOnlyList<string> Processing,
    IReadOnlyDictionary<string, string> Metadata)
{
    public int Count => Keys.Count;

    public const string TensorName = "embeddings";

    /// <summary>The items' columns, when the writer built them (or the file held them); null: derive them from the metadata.</summary>
    public ItemColumns? Columns { get; init; }

    /// <summary>A set whose per-item data are columns.</summary>
    public static EmbeddingSet Of(float[] embeddings, int dim, ItemColumns columns, IReadOnlyDictionary<string, string> metadata) =>
        new(embeddings, dim, columns.Keys, columns.Processing.Values, metadata) { Columns = columns };
}
