using System.CommandLine;
using TraceProbe.Common;
using TraceProbe.Experiments;
using TraceProbe.Reports;
using TraceProbe.Results;

namespace TraceProbe.Cli;

/// <summary><c>traceprobe run</c>: the whole suite, from photos to summary.json and report.md.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var job = new JobOptions();
        var protocol = CommonOptions.Protocol();
        var seeds = CommonOptions.ProbeSeeds();
        var mask = new Option<double?>("--mask-ratio") { Description = "Area ratio of the centre mask in acquisition probes (0.9 as the paper's text; 0.95 as its code; 0: unmasked, as the reference's plain extraction). Default: each task's (0.9), 0.95 in paper mode." };
        var knnK = new Option<int?>("--knn-k") { Description = $"Neighbours in the kNN influence set-ups ({string.Join(", ", SetupNames.Knn)}); 0 skips them. Default: {JobSettings.DefaultKnnK}, or in paper mode the dataset's (1 on iNaturalist)." };
        var erase = new Option<string[]>("--erase") { Description = "Task ids whose trace is also erased from the embeddings (closed-form LEACE), then probed and kNN-tested again, e.g. --erase jpeg.", AllowMultipleArgumentsPerToken = true };
        var skip = new Option<bool>("--skip-existing") { Description = "Keep the records of OUT/summary.json for (encoder, task) pairs it already has." };
        var command = new Command("run", "Run the trace probes for the chosen encoders and tasks; writes summary.json, report.md and the embeddings. Finished embeddings are cached under --out, so an interrupted run resumes.\n\nExample: traceprobe run --encoders resnet18 --tasks jpeg --out results");
        job.AddTo(command);
        command.Options.Add(protocol);
        command.Options.Add(seeds);
        command.Options.Add(skip);
        command.Options.Add(knnK);
        command.Options.Add(mask);
        command.Options.Add(erase);
        command.SetAction(async (parse, cancel) => await ExecuteAsync(job.Read(parse) with
        {
            Protocol = parse.GetValue(protocol),
            ProbeSeeds = parse.GetValue(seeds),
            SkipExisting = parse.GetValue(skip),
            KnnK = parse.GetValue(knnK),
            MaskRatio = parse.GetValue(mask),
            Erase = Names.Split(parse.GetValue(erase) ?? []),
        }, cancel));
        return command;
    }

    /// <summary>Runs the suite, writes summary, report and figures, prints the table.</summary>
    public static async Task<int> ExecuteAsync(JobSettings s, CancellationToken cancel = default)
    {
        var outcome = await TraceSuite.RunAsync(s, new ProgressDisplay(s.Quiet), cancel);
        var written = ReportWriter.Write(outcome.Summary, s.Out);
        if (!s.Quiet) PrintTable(Console.Out, outcome.Summary, written);
        return ExitCodes.Success;
    }

    internal static void PrintTable(TextWriter output, Summary summary, ReportWriter.Written written)
    {
        var rows = summary.Records.Where(r => r.Setup == SetupNames.Probe).GroupBy(r => (r.Encoder, r.Task)).Select(g =>
        {
            var top1 = g.FirstOrDefault(r => r.Metric == MetricNames.Top1);
            var recall = g.FirstOrDefault(r => r.Metric == MetricNames.MeanPerClassRecall);
            var any = top1 ?? recall!;
            return (IReadOnlyList<string>)[g.Key.Encoder, g.Key.Task, ResultText.Value(top1), ResultText.Value(recall), ResultText.Percent(any.Chance),
                ResultText.Verdict(top1).Replace("*", ""), any.NTestPhotos?.ToString() ?? "–"];
        });
        // A table on a terminal, tab-separated rows in a pipe (TableOutput escapes the intervals' brackets for Spectre).
        TableOutput.Write(output, ["Encoder", "Task", "Top-1 [95% CI]", "Mean recall [95% CI]", "Chance", "Top-1 vs chance", "Test photos"], rows,
            "Encoder", "Task");
        foreach (var g in summary.Records.Where(r => r.Experiment == ExperimentNames.Knn && r.Metric == MetricNames.Accuracy).GroupBy(r => (r.Encoder, r.Task)))
            output.WriteLine($"{g.Key.Encoder}/{g.Key.Task} kNN: " + string.Join(", ", g.Select(r => $"{r.Setup} {ResultText.Value(r)}")));
        foreach (var n in summary.NotRun)
            output.WriteLine($"not run: {n.Encoder}/{n.Task} ({n.Experiment}): {n.Reason}");
        if (summary.Skipped.Count > 0)
            output.WriteLine($"{summary.Skipped.Count} input(s) skipped; see 'skipped' in {written.SummaryPath}.");
        output.WriteLine($"Wrote {written.SummaryPath}, {written.CsvPath}, {written.ReportPath} and {written.Figures.Count} figure(s)");
    }
}
