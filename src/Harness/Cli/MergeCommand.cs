using System.CommandLine;
using TraceProbe.Embeddings;

namespace TraceProbe.Cli;

/// <summary><c>traceprobe merge</c>: joins the shards written by `embed --shard i/N` into embeddings files.</summary>
public static class MergeCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--in") { Description = "The --out folder the shards were written to.", Required = true };
        var output = new Option<string?>("--out") { Description = "Where embeddings/<encoder>/<task>.safetensors go. Default: the --in folder." };
        var quiet = CommonOptions.Quiet();
        var command = new Command("merge", "Join the shards of every embedding job under --in; fails, naming the shards to rerun, when one is missing.\n\nExample: traceprobe merge --in work")
        {
            input, output, quiet,
        };
        command.SetAction(parse => Execute(parse.GetValue(input)!, parse.GetValue(output), parse.GetValue(quiet)));
        return command;
    }

    public static int Execute(string input, string? output, bool quiet)
    {
        var shards = Path.Combine(input, "shards");
        if (!Directory.Exists(shards))
            throw new UsageException($"--in '{input}' has no shards/ folder: run `traceprobe embed --out {input}` first.");
        var cache = new EmbeddingCache(Path.Combine(input, "cache"));
        var jobs = Directory.EnumerateDirectories(shards).SelectMany(Directory.EnumerateDirectories).Order(StringComparer.Ordinal).ToList();
        foreach (var job in jobs)
        {
            var (set, skipped) = ShardMerge.Merge(job, cache);
            var encoder = Path.GetFileName(Path.GetDirectoryName(job))!;
            var task = Path.GetFileName(job);
            var path = Path.Combine(output ?? input, "embeddings", encoder, task + ".safetensors");
            SafetensorsFile.Write(path, set);
            if (!quiet)
                Console.WriteLine($"{encoder}/{task}: {set.Count} embeddings of dim {set.Dim} -> {path}{(skipped.Count > 0 ? $" ({skipped.Count} input(s) skipped)" : "")}");
        }
        if (jobs.Count == 0) throw new UsageException($"--in '{input}': shards/ holds no jobs.");
        return ExitCodes.Success;
    }
}
