using TraceProbe.Images;

namespace TraceProbe.Embeddings;

/// <summary>One embedding to make: an item (e.g. a crop) of a source photo under one processing.</summary>
/// <param name="Key">Unique, stable name of the item, e.g. <c>lake.jpg#crop3</c>.</param>
/// <param name="Photo">Index of its source photo.</param>
/// <param name="Processing">Processing id (or chain, '+'-joined) the item is seen under.</param>
public sealed record PlannedItem(string Key, int Photo, string Processing);

/// <summary>
/// Everything that decides a set of embeddings: the photos, the items in plan order, how an item is rendered,
/// and a recipe string naming every setting the renderer depends on (it enters the cache key, with the code version).
/// </summary>
public sealed record EmbeddingRequest(
    string Name,
    IReadOnlyList<Photo> Photos,
    IReadOnlyList<PlannedItem> Items,
    ItemRenderer Render,
    string Recipe)
{
    /// <summary>The rendering code's version (<see cref="RenderVersion.Current"/>); part of every chunk's cache key.</summary>
    public string CodeVersion { get; init; } = RenderVersion.Current;

    /// <summary>
    /// How sources are decoded with respect to EXIF orientation: as stored (the reference's ImageNet and iNaturalist
    /// loaders) or upright (its FlickrExif and PairCams loaders, Hugging Face datasets ≥ 2.19). Part of the cache key.
    /// </summary>
    public Orientation SourceOrientation { get; init; } = Orientation.AsStored;
}

/// <summary>Which deterministic part of the work this process does: chunk c belongs to shard c mod Count.</summary>
public readonly record struct Shard(int Index, int Count)
{
    public static readonly Shard All = new(0, 1);

    public bool Owns(int chunk) => chunk % Count == Index;

    /// <summary>Parses "i/N" with 0 ≤ i &lt; N.</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var i) || !int.TryParse(parts[1], out var n) || n < 1 || i < 0 || i >= n)
            throw new FormatException($"--shard '{text}': expected i/N with 0 <= i < N, e.g. 0/4.");
        return new Shard(i, n);
    }

    public override string ToString() => $"{Index}/{Count}";
}
