using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Experiments;
using TraceProbe.Probes;
using TraceProbe.Reports;
using TraceProbe.Results;

namespace TraceProbe.Cli;

/// <summary>
/// <c>traceprobe probe</c>: a processing probe on an embeddings file written by `run`, `embed`+`merge`, or any tool
/// that writes the same safetensors layout (labels = processing ids, metadata `split` = train/test per item).
/// </summary>
public static class ProbeCommand
{
    public static Command Create()
    {
        var embeddings = new Option<string>("--embeddings") { Description = "An embeddings .safetensors file (e.g. results/embeddings/resnet18/jpeg.safetensors).", Required = true };
        var output = CommonOptions.Out();
        var seed = CommonOptions.Seed();
        var protocol = new Option<ProbeProtocol>("--protocol") { Description = "Fast (default) or Paper.", DefaultValueFactory = _ => ProbeProtocol.Fast };
        var seeds = new Option<int?>("--probe-seeds") { Description = "Probes trained with seeds seed, seed+1, …; mean ± std. Default: 1 (Fast), 10 (Paper)." };
        var quiet = CommonOptions.Quiet();
        var command = new Command("probe", "Train and test a linear probe that predicts the processing of each embedding, from an embeddings file; writes summary.json, report.md and figures under --out.\n\nExample: traceprobe probe --embeddings results/embeddings/resnet18/jpeg.safetensors --protocol Paper --out results/paper")
        {
            embeddings, output, seed, protocol, seeds, quiet,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(embeddings)!;
            if (!File.Exists(path)) throw new UsageException($"--embeddings '{path}' does not exist.");
            var chosen = parse.GetValue(protocol);
            var summary = Execute(SafetensorsFile.Read(path), path, new ProbeOptions { Protocol = chosen, Seed = parse.GetValue(seed) },
                parse.GetValue(seeds) ?? (chosen == ProbeProtocol.Paper ? 10 : 1));
            var written = ReportWriter.Write(summary, parse.GetValue(output)!);
            if (!parse.GetValue(quiet))
            {
                foreach (var r in summary.Records.Where(r => r.Metric == "top1"))
                    AnsiConsole.MarkupLine($"{Markup.Escape(r.Encoder)}/{Markup.Escape(r.Task)}: top-1 [bold]{100 * r.Value:0.0}%[/]{(r.Std is { } std ? $" ± {100 * std:0.0}" : "")} (chance {100 * r.Chance:0.0}%)");
                Console.WriteLine($"Wrote {written.SummaryPath} and {written.ReportPath}");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    public static Summary Execute(EmbeddingSet set, string source, ProbeOptions options, int seeds)
    {
        if (!set.Metadata.TryGetValue("split", out var splitJson))
            throw new InvalidDataException($"{source}: no 'split' metadata (train/test per item); write it with `traceprobe run` or `embed` + `merge`.");
        var split = JsonSerializer.Deserialize<string[]>(splitJson)!;
        var done = set.Metadata.TryGetValue("done", out var doneJson) ? JsonSerializer.Deserialize<bool[]>(doneJson)! : Enumerable.Repeat(true, set.Count).ToArray();
        if (split.Length != set.Count || done.Length != set.Count)
            throw new InvalidDataException($"{source}: {split.Length} split entries and {done.Length} done flags for {set.Count} embeddings.");
        var encoderId = set.Metadata.GetValueOrDefault("encoder", Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(source))) ?? "unknown");
        var taskId = set.Metadata.GetValueOrDefault("task", Path.GetFileNameWithoutExtension(source));
        // Class order: the task's, when it is registered; else the processing ids in order of first appearance.
        var task = ExperimentRegistry.Find(taskId);
        var classes = task is { Classes.Count: > 0 }
            ? task.Classes.Select(c => string.Join("+", c.Ops)).ToList()
            : set.Processing.Distinct().ToList();
        var names = task is { Classes.Count: > 0 } ? task.Classes.Select(c => c.Id).ToList() : classes;
        int Label(int row) => classes.IndexOf(set.Processing[row]) is var l and >= 0
            ? l
            : throw new InvalidDataException($"{source}: item {set.Keys[row]} has processing '{set.Processing[row]}', not a class of task '{taskId}'.");
        var train = Enumerable.Range(0, set.Count).Where(i => done[i] && split[i] == "train").ToArray();
        var test = Enumerable.Range(0, set.Count).Where(i => done[i] && split[i] == "test").ToArray();
        if (train.Length == 0 || test.Length == 0) throw new InvalidDataException($"{source}: no usable {(train.Length == 0 ? "training" : "test")} items.");

        // Items "photo#cropN" of one photo form a group that validation never splits.
        var photos = new Dictionary<string, int>();
        var groups = train.Select(i => set.Keys[i].Split('#')[0]).Select(k => photos.TryGetValue(k, out var g) ? g : photos[k] = photos.Count).ToArray();
        var outcome = ProbeStage.Run(ProbeData.Gather(set.Embeddings, set.Dim, train, Label), ProbeData.Gather(set.Embeddings, set.Dim, test, Label),
            set.Dim, classes.Count, options with { Groups = groups }, seeds);
        var template = new SummaryRecord
        {
            Encoder = encoderId,
            Family = EncoderRegistry.Find(encoderId)?.Family.ToString() ?? "Control",
            Experiment = "processing",
            Task = taskId,
            Setup = "probe",
            Metric = "",
            Value = 0,
            Chance = 1.0 / classes.Count,
            NTrain = train.Length,
            NTest = test.Length,
            Classes = names,
        };
        var details = new Dictionary<string, string>
        {
            ["protocol"] = options.Protocol.ToString().ToLowerInvariant(),
            ["seed"] = options.Seed.ToString(),
            ["embeddings"] = Path.GetFileName(source),
        };
        return Summary.Create(options.Seed,
            new SortedDictionary<string, string> { ["embeddings"] = Path.GetFullPath(source), ["protocol"] = details["protocol"] },
            ProbeStage.Records(outcome, template, details), []);
    }
}
