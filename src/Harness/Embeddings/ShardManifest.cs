using System.Text.Json;
using System.Text.Json.Serialization;
using TraceProbe.Common;

namespace TraceProbe.Embeddings;

/// <summary>
/// What one shard of an embedding job produced: the cache entries of its chunks, in plan order. `merge` joins
/// the manifests of all shards into one embeddings file, identical to a single-machine run's.
/// </summary>
public sealed record ShardManifest
{
    public const string SchemaId = "traceprobe.shard/1";

    public string Schema { get; init; } = SchemaId;
    /// <summary>The job, e.g. "resnet18/jpeg".</summary>
    public required string Name { get; init; }
    public required int ShardIndex { get; init; }
    public required int ShardCount { get; init; }
    /// <summary>Chunks of the whole plan (all shards).</summary>
    public required int ChunkCount { get; init; }
    public required int ItemCount { get; init; }
    public required IReadOnlyList<ManifestChunk> Chunks { get; init; }
    /// <summary>Metadata of the merged file (same in every shard).</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    public IReadOnlyList<SkippedInput> Skipped { get; init; } = [];

    public sealed record ManifestChunk(int Index, int Start, int Count, string Key);

    /// <summary>The shard format's own JSON settings: a change to the summary's format must not change this one.</summary>
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string FileName(Shard shard) => $"shard-{shard.Index}-of-{shard.Count}.json";

    /// <summary>The job's items (every shard's), as the columns of an embeddings file without rows, beside the manifests.</summary>
    public const string ItemsFileName = "items.safetensors";

    /// <summary>
    /// Writes the job's item columns once for all shards (each shard writes the same file, atomically): the manifests
    /// then carry only the file's own metadata, whatever the number of items.
    /// </summary>
    public static void WriteItems(string folder, ItemColumns columns, IReadOnlyDictionary<string, string> metadata)
    {
        using var writer = EmbeddingsFile.Create(Path.Combine(folder, ItemsFileName), 0, columns, metadata);
        writer.Complete(columns.Done);
    }

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, JsonOptions));
        File.Move(tmp, path, overwrite: true);
    }

    public static ShardManifest Read(string path)
    {
        var manifest = JsonSerializer.Deserialize<ShardManifest>(File.ReadAllText(path), JsonOptions)
            ?? throw new InvalidDataException($"{path}: empty manifest.");
        if (manifest.Schema != SchemaId)
            throw new InvalidDataException($"{path}: schema '{manifest.Schema}', expected '{SchemaId}'.");
        return manifest;
    }
}
