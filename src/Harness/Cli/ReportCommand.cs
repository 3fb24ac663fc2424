using System.CommandLine;
using TraceProbe.Reports;
using TraceProbe.Results;

namespace TraceProbe.Cli;

/// <summary><c>traceprobe report</c>: rebuilds report, CSV and figures from one or several summaries, without recomputing.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var inputs = new Option<string[]>("--in") { Description = "A results folder (holding summary.json) or a summary.json file; repeat to combine several.", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--out") { Description = "Output folder. Default: the single --in folder, or 'report' when combining." };
        var quiet = CommonOptions.Quiet();
        var command = new Command("report", "Rebuild report.md, summary.csv and the figures from existing summaries (several --in are combined).\n\nExample: traceprobe report --in results/machine-a --in results/machine-b --out results/all")
        {
            inputs, output, quiet,
        };
        command.SetAction(parse =>
        {
            var sources = parse.GetValue(inputs)!;
            var parts = sources.Select(source =>
            {
                var path = Directory.Exists(source) ? Path.Combine(source, "summary.json") : source;
                if (!File.Exists(path)) throw new UsageException($"--in '{source}': no summary.json there.");
                return (source, Summary.Read(path));
            }).ToList();
            var folder = parse.GetValue(output) ?? (sources.Length == 1 && Directory.Exists(sources[0]) ? sources[0] : "report");
            var written = ReportWriter.Write(ReportWriter.Combine(parts), folder);
            if (!parse.GetValue(quiet))
                Console.WriteLine($"Wrote {written.ReportPath}, {written.CsvPath} and {written.Figures.Count} figure(s) in {Path.GetDirectoryName(written.Figures.FirstOrDefault()?.PngPath) ?? folder}");
            return ExitCodes.Success;
        });
        return command;
    }
}
