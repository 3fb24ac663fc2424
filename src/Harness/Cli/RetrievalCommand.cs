using System.CommandLine;
using TraceProbe.Experiments;
using TraceProbe.Reports;

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
            var outDir = parse.GetValue(output)!;
            var summary = await RetrievalSuite.RunAsync(new RetrievalSettings
            {
                Dataset = parse.GetValue(dataset)!,
                Encoders = parse.GetValue(encoders) ?? [],
                Out = outDir,
                Device = parse.GetValue(device)!,
                Threads = parse.GetValue(threads),
                Models = parse.GetValue(models),
            }, new ProgressDisplay(parse.GetValue(quiet)), cancel);
            var written = ReportWriter.Write(summary, outDir);
            if (!parse.GetValue(quiet))
            {
                foreach (var r in summary.Records) Console.WriteLine($"{r.Encoder}: Recall@1 {r.Setup} {ResultText.Value(r)} ({r.NTest} pairs)");
                Console.WriteLine($"Wrote {written.SummaryPath} and {written.ReportPath}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
