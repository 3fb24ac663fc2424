using System.CommandLine;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Experiments;
using TraceProbe.Images;

namespace TraceProbe.Cli;

/// <summary>
/// <c>traceprobe embed</c>: only the embedding work, optionally one deterministic shard of it, for job arrays.
/// Finished chunks go to the content-addressed cache under --out; each shard writes a manifest that `merge` joins.
/// </summary>
public static class EmbedCommand
{
    public static Command Create()
    {
        var job = new JobOptions();
        var shard = new Option<string>("--shard") { Description = "Do shard i of N (0 <= i < N) of the work, e.g. 0/4; the split is deterministic.", DefaultValueFactory = _ => "0/1" };
        var command = new Command("embed", "Compute embeddings (one shard of them with --shard i/N) into the cache under --out, then write the shard's manifest; `traceprobe merge --in OUT` joins the shards.\n\nExample: traceprobe embed --encoders resnet18 --tasks jpeg --out work --shard 2/8");
        job.AddTo(command);
        command.Options.Add(shard);
        command.SetAction(async (parse, cancel) =>
        {
            Shard part;
            try { part = Shard.Parse(parse.GetValue(shard)!); }
            catch (FormatException e) { throw new UsageException(e.Message); }
            return await ExecuteAsync(job.Read(parse), part, cancel);
        });
        return command;
    }

    public static async Task<int> ExecuteAsync(JobSettings s, Shard shard, CancellationToken cancel = default)
    {
        var modelsFolder = ModelsFolder.Resolve(s.Models);
        var encoders = CommonOptions.SelectEncoders(s.Encoders, modelsFolder, s.Quiet);
        var tasks = CommonOptions.SelectTasks(s.Tasks, TraceKind.Processing);
        foreach (var t in tasks.Where(t => t.Kind != TraceKind.Processing))
            throw new UsageException($"--tasks {t.Id}: embed shards processing tasks; acquisition tasks (a few thousand photos) run with `traceprobe run`.");
        var photos = Datasets.DatasetLoader.Open(s.Images ?? PhotoCollection.BundledFolder).Photos;
        var display = new ProgressDisplay(s.Quiet);
        var cache = new EmbeddingCache(Path.Combine(s.Out, "cache"));
        foreach (var spec in encoders)
        {
            using var encoder = CommonOptions.OpenEncoder(spec, modelsFolder, s.Device, s.Threads, s.Quiet);
            foreach (var task in tasks)
            {
                var options = RunCommand.ProcessingOptionsOf(s, cache);
                var plan = ProcessingProbeExperiment.Plan(encoder, task, photos, options);
                var pipeline = new EmbeddingPipeline(encoder, options.Pipeline, cache);
                var output = await display.RunAsync($"{spec.Id}/{task.Id} shard {shard}",
                    progress => pipeline.RunAsync(plan.Request, shard, progress, cancel));
                var manifest = new ShardManifest
                {
                    Name = plan.Request.Name,
                    ShardIndex = shard.Index,
                    ShardCount = shard.Count,
                    ChunkCount = pipeline.PlanChunks(plan.Request).Count,
                    ItemCount = plan.Request.Items.Count,
                    Chunks = output.Chunks.Select(c => new ShardManifest.ManifestChunk(c.Index, c.Start, c.Count, c.Key)).ToList(),
                    Metadata = plan.Metadata,
                    Skipped = output.Skipped,
                };
                var path = Path.Combine(ManifestFolder(s.Out, spec.Id, task.Id), ShardManifest.FileName(shard));
                manifest.Write(path);
                if (!s.Quiet)
                    Console.WriteLine($"{spec.Id}/{task.Id} shard {shard}: {output.ComputedChunks} chunk(s) computed, {output.CachedChunks} from the cache; manifest {path}");
            }
        }
        return ExitCodes.Success;
    }

    public static string ManifestFolder(string output, string encoder, string task) => Path.Combine(output, "shards", encoder, task);
}
