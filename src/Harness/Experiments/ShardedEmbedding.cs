using TraceProbe.Common;
using TraceProbe.Datasets;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Images;

namespace TraceProbe.Experiments;

/// <summary>
/// The embedding work of the processing tasks alone, optionally one deterministic shard of it, for job arrays:
/// finished chunks go to the content-addressed cache under OUT/cache, and each shard writes a manifest that
/// <see cref="ShardMerge"/> joins into embeddings files identical to a single run's.
/// </summary>
public static class ShardedEmbedding
{
    /// <summary>Embeds one shard; returns the manifests written.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(JobSettings s, Shard shard, ISuiteObserver observer, CancellationToken cancel = default)
    {
        s.Validate();
        var modelsFolder = ModelsFolder.Resolve(s.Models);
        var encoders = EncoderSelection.Select(s.Encoders, modelsFolder);
        var tasks = TaskSelection.Select(s.Tasks, TraceKind.Processing);
        foreach (var t in tasks.Where(t => t.Kind != TraceKind.Processing))
            throw new Common.SettingsException($"--tasks {t.Id}: embed shards processing tasks; acquisition tasks (a few thousand photos) run with `traceprobe run`.");
        var dataset = DatasetLoader.Open(s.Images ?? PhotoCollection.BundledFolder);
        var photos = dataset.Photos;
        // Paper mode plans the same whole-image work as `run --protocol paper`, so that its cache serves the run.
        var sides = s.LayoutOrDefault == ProcessingLayout.PaperWholeImages ? PaperMode.Sides(dataset, s) : null;
        var cache = new EmbeddingCache(Path.Combine(s.Out, "cache"));
        // Every shard records the photos it saw, so that `merge` can check they were the same and name them in the file.
        var stamp = Provenance.FileStamp(dataset, DatasetFingerprint.Of(photos));
        var written = new List<string>();
        foreach (var spec in encoders)
        {
            using var encoder = EncoderSelection.Open(spec, modelsFolder, s.Device, s.Threads, observer.Line);
            foreach (var task in tasks)
            {
                var options = s.ProcessingOptions(cache) with { SemanticLabels = dataset.SemanticLabels };
                ProcessingPlan plan;
                ItemColumns columns;
                if (sides is null)
                {
                    plan = ProcessingProbeExperiment.Plan(encoder, task, photos, options);
                    columns = ItemColumns.FromMetadata(plan.Request.Items.Select(i => i.Key).ToList(), plan.Request.Items.Select(i => i.Processing).ToList(), plan.Metadata, plan.Request.Name);
                }
                else
                {
                    // Built as columns directly: at ImageNet's scale per-item JSON would be half a gigabyte a manifest.
                    var request = PaperProcessingExperiment.Plan(encoder, task, photos, sides, s.Seed);
                    plan = new ProcessingPlan(request, [], PaperProcessingExperiment.FileMetadata(encoder, task));
                    columns = PaperProcessingExperiment.Columns(photos, request, sides, dataset.SemanticLabels);
                }
                var pipeline = new EmbeddingPipeline(encoder, options.Pipeline, cache);
                var output = await observer.RunAsync($"{spec.Id}/{task.Id} shard {shard}",
                    progress => pipeline.RunAsync(plan.Request, shard, progress, cancel));
                var manifest = new ShardManifest
                {
                    Name = plan.Request.Name,
                    ShardIndex = shard.Index,
                    ShardCount = shard.Count,
                    ChunkCount = pipeline.PlanChunks(plan.Request).Count,
                    ItemCount = plan.Request.Items.Count,
                    Chunks = output.Chunks.Select(c => new ShardManifest.ManifestChunk(c.Index, c.Start, c.Count, c.Key)).ToList(),
                    Metadata = Provenance.Stamped(ItemColumns.FileMetadata(plan.Metadata), stamp),
                    Skipped = output.Skipped,
                };
                var path = Path.Combine(ManifestFolder(s.Out, spec.Id, task.Id), ShardManifest.FileName(shard));
                ShardManifest.WriteItems(ManifestFolder(s.Out, spec.Id, task.Id), columns, manifest.Metadata);
                manifest.Write(path);
                written.Add(path);
                observer.Line($"{spec.Id}/{task.Id} shard {shard}: {output.ComputedChunks} chunk(s) computed, {output.CachedChunks} from the cache; manifest {path}");
            }
        }
        return written;
    }

    public static string ManifestFolder(string output, string encoder, string task) => Path.Combine(output, "shards", encoder, task);
}
