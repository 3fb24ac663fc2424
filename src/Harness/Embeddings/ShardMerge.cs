using System.Text.Json;
using TraceProbe.Common;

namespace TraceProbe.Embeddings;

/// <summary>Joins the chunks listed by every shard's manifest into the job's embeddings file.</summary>
public static class ShardMerge
{
    /// <summary>
    /// Merges the manifests in <paramref name="manifestFolder"/> into the file <paramref name="output"/>, streaming: the
    /// items' columns are laid out from the chunks' headers, then each chunk's rows are copied into place, so memory
    /// holds one chunk whatever the job's size. Throws naming what is missing.
    /// </summary>
    public static (int Count, int Dim, IReadOnlyList<SkippedInput> Skipped) Merge(string manifestFolder, EmbeddingCache cache, string output)
    {
        var manifests = Directory.EnumerateFiles(manifestFolder, "shard-*-of-*.json").Order(StringComparer.Ordinal)
            .Select(ShardManifest.Read).ToList();
        if (manifests.Count == 0) throw new InvalidDataException($"{manifestFolder}: no shard manifests (shard-i-of-N.json).");
        var first = manifests[0];
        var counts = manifests.Select(m => m.ShardCount).Distinct().ToList();
        if (counts.Count > 1)
            throw new InvalidDataException($"{manifestFolder}: manifests of different shard counts ({string.Join(", ", counts)}); remove the stale ones.");
        var missingShards = Enumerable.Range(0, first.ShardCount).Except(manifests.Select(m => m.ShardIndex)).ToList();
        if (missingShards.Count > 0)
            throw new InvalidDataException($"{manifestFolder}: shard(s) {string.Join(", ", missingShards.Select(i => $"{i}/{first.ShardCount}"))} have not finished; run them, then merge again.");

        var chunks = manifests.SelectMany(m => m.Chunks).OrderBy(c => c.Index).ToList();
        if (chunks.Count != first.ChunkCount || chunks.Select((c, i) => c.Index != i).Any(b => b))
            throw new InvalidDataException($"{manifestFolder}: the manifests list {chunks.Count} of {first.ChunkCount} chunks; rerun the shards.");
        var metadata = FileMetadata(manifests, manifestFolder);

        EmbeddingSet Entry(ShardManifest.ManifestChunk chunk, bool withRows)
        {
            var found = withRows ? cache.TryRead(chunk.Key, out var entry) : cache.TryReadItems(chunk.Key, out entry);
            return found && entry!.Count == chunk.Count ? entry
                : throw new InvalidDataException($"{cache.PathOf(chunk.Key)}: chunk {chunk.Index} of {first.Name} is missing or damaged; rerun shard {chunk.Index % first.ShardCount}/{first.ShardCount}.");
        }

        var dim = 0;
        var done = new bool[first.ItemCount];
        // The items' columns come from the file the shards wrote beside their manifests; manifests written before it
        // existed carry them as per-item JSON, with keys and processing ids in the chunks.
        var items = Path.Combine(manifestFolder, ShardManifest.ItemsFileName);
        var stored = File.Exists(items) ? EmbeddingsFile.ReadHeader(items) : null;
        var keys = new List<string>(stored is null ? first.ItemCount : 0);
        var processing = new List<string>(stored is null ? first.ItemCount : 0);
        foreach (var chunk in chunks)
        {
            var entry = Entry(chunk, withRows: false);
            dim = entry.Dim;
            var missing = EmbeddingPipeline.MissingOf(entry);
            for (var i = 0; i < chunk.Count; i++) done[chunk.Start + i] = missing[i] is null;
            if (stored is not null) continue;
            keys.AddRange(entry.Keys);
            processing.AddRange(entry.Processing);
        }
        if (stored is not null && stored.Count != first.ItemCount)
            throw new InvalidDataException($"{items}: {stored.Count} items for the manifests' {first.ItemCount}; rerun the shards.");
        var columns = (stored?.Columns ?? ItemColumns.FromMetadata(keys, processing, first.Metadata, manifestFolder)) with { Done = done };
        using (var writer = EmbeddingsFile.Create(output, dim, columns, metadata))
        {
            foreach (var chunk in chunks)
                writer.WriteRows(chunk.Start, Entry(chunk, withRows: true).Embeddings);
            writer.Complete(done);
        }
        var skipped = manifests.SelectMany(m => m.Skipped).Distinct().OrderBy(s => s.Path, StringComparer.Ordinal).ToList();
        return (first.ItemCount, dim, skipped);
    }

    /// <summary>
    /// The merged file's metadata: the first shard's (every shard plans the same job), with the photos and registry the
    /// rows came from only where every shard recorded the same. Shards run on machines that each mount the dataset: one
    /// that saw other photos (a half-copied folder) is an error, not a file that names the first shard's photos; one
    /// written before shards recorded them leaves the file without them, as the program cannot vouch for its photos.
    /// </summary>
    private static Dictionary<string, string> FileMetadata(IReadOnlyList<ShardManifest> manifests, string manifestFolder)
    {
        var metadata = new Dictionary<string, string>(manifests[0].Metadata, StringComparer.Ordinal);
        var sources = manifests.Select(m => SourceDataset.From(m.Metadata, $"{manifestFolder}: shard {m.ShardIndex}/{m.ShardCount}")).ToList();
        if (sources.All(s => s is not null))
        {
            var other = sources.FindIndex(s => !s!.SamePhotos(sources[0]!));
            if (other >= 0)
                throw new InvalidDataException($"{manifestFolder}: shard {manifests[0].ShardIndex}/{manifests[0].ShardCount} embedded {Photos(sources[0]!)}, " +
                    $"shard {manifests[other].ShardIndex}/{manifests[other].ShardCount} {Photos(sources[other]!)}; rerun the shards on the same photos.");
        }
        else metadata.Remove(SourceDataset.Key);
        if (manifests.Select(m => m.Metadata.GetValueOrDefault(EmbeddingsFile.RegistryKey)).Distinct().Count() != 1) metadata.Remove(EmbeddingsFile.RegistryKey);
        return metadata;
    }

    private static string Photos(SourceDataset source) => $"{source.Files} photos ({source.Layout}, SHA-256 of names and sizes {source.Sha256})";

    /// <summary>One merged job: which file it wrote and what it holds.</summary>
    public sealed record MergedJob(string Encoder, string Task, string Path, int Count, int Dim, int Skipped);

    /// <summary>
    /// Merges every job under INPUT/shards (folders shards/&lt;encoder&gt;/&lt;task&gt;) into
    /// OUTPUT/embeddings/&lt;encoder&gt;/&lt;task&gt;.safetensors, in a stable order.
    /// </summary>
    public static IReadOnlyList<MergedJob> MergeAll(string input, string output)
    {
        var cache = new EmbeddingCache(System.IO.Path.Combine(input, "cache"));
        var jobs = Directory.EnumerateDirectories(System.IO.Path.Combine(input, "shards")).SelectMany(Directory.EnumerateDirectories).Order(StringComparer.Ordinal).ToList();
        var merged = new List<MergedJob>();
        foreach (var job in jobs)
        {
            var encoder = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(job))!;
            var task = System.IO.Path.GetFileName(job);
            var path = System.IO.Path.Combine(output, "embeddings", encoder, task + ".safetensors");
            var (count, dim, skipped) = Merge(job, cache, path);
            merged.Add(new MergedJob(encoder, task, path, count, dim, skipped.Count));
        }
        return merged;
    }

    /// <summary>The merged file's metadata: the job's own plus which items are usable.</summary>
    public static IReadOnlyDictionary<string, string> Metadata(IReadOnlyDictionary<string, string> job, bool[] done) =>
        new SortedDictionary<string, string>(job.ToDictionary()) { [EmbeddingsFile.DoneKey] = JsonSerializer.Serialize(done) };
}
