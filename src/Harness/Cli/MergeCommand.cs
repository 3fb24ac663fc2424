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
        if (!Directory.Exists(Path.Combine(input, "shards")))
            throw new UsageException($"--in '{input}' has no shards/ folder: run `traceprobe embed --out {input}` first.");
        var merged = ShardMerge.MergeAll(input, output ?? input);
        if (merged.Count == 0) throw new UsageException($"--in '{input}': shards/ holds no jobs.");
        if (!quiet)
            foreach (var m in merged)
                Console.WriteLine($"{m.Encoder}/{m.Task}: {m.Count} embeddings of dim {m.Dim} -> {m.Path}{(m.Skipped > 0 ? $" ({m.Skipped} input(s) skipped)" : "")}");
        return ExitCodes.Success;
    }
}
