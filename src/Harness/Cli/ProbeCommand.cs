using System.CommandLine;
using Spectre.Console;
using TraceProbe.Embeddings;
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
        var protocol = CommonOptions.Protocol();
        var seeds = CommonOptions.ProbeSeeds();
        var quiet = CommonOptions.Quiet();
        var trials = new Option<int?>("--trials") { Description = "Paper protocol: TPE trials of the learning-rate and weight-decay search (default 30, the paper's); fewer bound the time on a large file, and the summary says so." };
        var command = new Command("probe", "Train and test a linear probe that predicts the processing of each embedding, from an embeddings file; writes summary.json, report.md and figures under --out.\n\nExample: traceprobe probe --embeddings results/embeddings/resnet18/jpeg.safetensors --protocol Paper --out results/paper")
        {
            embeddings, output, seed, protocol, seeds, trials, quiet,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(embeddings)!;
            if (!File.Exists(path)) throw new UsageException($"--embeddings '{path}' does not exist.");
            var chosen = parse.GetValue(protocol);
            var options = new ProbeOptions { Protocol = chosen, Seed = parse.GetValue(seed) };
            if (parse.GetValue(trials) is { } t)
                options = t >= 1 ? options with { Trials = t } : throw new UsageException($"--trials {t}: at least 1.");
            // The header only: the probe reads the rows it needs from the file, so a file of any size can be probed.
            var summary = EmbeddingsProbe.Run(EmbeddingsFile.ReadHeader(path), options,
                parse.GetValue(seeds) ?? ProbeOptions.DefaultSeeds(chosen), parse.GetValue(quiet) ? null : Console.Error.WriteLine);
            var written = ReportWriter.Write(summary, parse.GetValue(output)!);
            if (!parse.GetValue(quiet))
            {
                foreach (var r in summary.Records.Where(r => r.Metric == MetricNames.Top1))
                    AnsiConsole.MarkupLine($"{Markup.Escape(r.Encoder)}/{Markup.Escape(r.Task)}: top-1 [bold]{Markup.Escape(ResultText.Value(r))}[/] (chance {ResultText.Percent(r.Chance)}; {ResultText.Verdict(r).Replace("*", "")})");
                Console.WriteLine($"Wrote {written.SummaryPath} and {written.ReportPath}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
