using System.CommandLine;
using TraceProbe.Embeddings;
using TraceProbe.Experiments;

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
        await ShardedEmbedding.RunAsync(s, shard, new ProgressDisplay(s.Quiet), cancel);
        return ExitCodes.Success;
    }
}
