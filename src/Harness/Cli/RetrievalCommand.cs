using System.CommandLine;
using TraceProbe.Datasets;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Experiments;
using TraceProbe.Reports;
using TraceProbe.Results;

namespace TraceProbe.Cli;

/// <summary><c>traceprobe retrieval</c>: near-duplicate retrieval between phone and camera photos of the same subjects.</summary>
public static class RetrievalCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "A PairCams-layout folder: one sub-folder per subject with phone.* and camera.* (docs/datasets.md).", Required = true };
        var encoders = new Option<string[]>("--encoders") { Description = "Encoder ids. Default: every installed encoder.", AllowMultipleArgumentsPerToken = true };
        var output = CommonOptions.Out();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var models = CommonOptions.Models();
        var quiet = CommonOptions.Quiet();
        var command = new Command("retrieval", "Recall@1 of finding a subject's photo from the other camera class, with hard negatives (the query's class) and easy negatives (the target's class), both directions averaged.\n\nExample: traceprobe retrieval --dataset PairCams --encoders resnet18 --out results/paircams")
        {
            dataset, encoders, output, device, threads, models, quiet,
        };
        command.SetAction(async (parse, cancel) =>
        {
            var root = parse.GetValue(dataset)!;
            var (pairs, skipped) = PairCamsDataset.Read(root);
            var folder = ModelsFolder.Resolve(parse.GetValue(models));
            var specs = CommonOptions.SelectEncoders(parse.GetValue(encoders) ?? [], folder, parse.GetValue(quiet));
            var outDir = parse.GetValue(output)!;
            var display = new ProgressDisplay(parse.GetValue(quiet));
            var records = new List<SummaryRecord>();
            var allSkipped = skipped.ToList();
            foreach (var spec in specs)
            {
                using var encoder = CommonOptions.OpenEncoder(spec, folder, parse.GetValue(device)!, parse.GetValue(threads), parse.GetValue(quiet));
                var outcome = await display.RunAsync($"{spec.Id}/paircams", progress =>
                    RetrievalExperiment.RunAsync(encoder, pairs, "paircams", new EmbeddingPipelineOptions(), new EmbeddingCache(Path.Combine(outDir, "cache")), progress, cancel));
                records.AddRange(outcome.Records);
                allSkipped.AddRange(outcome.Skipped);
                SafetensorsFile.Write(Path.Combine(outDir, "embeddings", spec.Id, "paircams.safetensors"), outcome.Embeddings);
            }
            var summary = Summary.Create(0, new SortedDictionary<string, string> { ["dataset"] = Path.GetFullPath(root), ["pairs"] = pairs.Count.ToString() }, records, allSkipped);
            var written = ReportWriter.Write(summary, outDir);
            if (!parse.GetValue(quiet))
            {
                foreach (var r in records) Console.WriteLine($"{r.Encoder}: Recall@1 {r.Setup} negatives {100 * r.Value:0.0}% ({r.NTest} pairs)");
                Console.WriteLine($"Wrote {written.SummaryPath} and {written.ReportPath}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
