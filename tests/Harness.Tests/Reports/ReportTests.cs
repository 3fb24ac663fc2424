using System.Globalization;
using TraceProbe.Cli;
using TraceProbe.Reports;
using TraceProbe.Results;
using TraceProbe.Tests.Support;
using TraceProbe.Common;

namespace TraceProbe.Tests.Reports;

public sealed class ReportTests
{
    private static Summary Sample(string encoder = "resnet18", double top1 = 0.253, ulong seed = 0) => new()
    {
        Seed = seed,
        CreatedUtc = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero),
        Versions = new Dictionary<string, string> { ["traceprobe"] = "1.0.0" },
        Machine = new Dictionary<string, string> { ["logical_cores"] = "2" },
        Settings = new Dictionary<string, string> { ["protocol"] = "fast" },
        Records =
        [
            new SummaryRecord
            {
                Encoder = encoder, Family = "SUP", Experiment = "processing", Task = "jpeg", Setup = "probe", Metric = "top1",
                Value = top1, Chance = 1.0 / 3, NTrain = 30, NTest = 9, Classes = ["A", "B", "C"],
                Confusion = [[2, 1, 0], [0, 3, 0], [1, 1, 1]],
                Details = new Dictionary<string, string> { ["lambda"] = "1e-05" },
            },
            new SummaryRecord
            {
                Encoder = encoder, Family = "SUP", Experiment = "knn", Task = "jpeg", Setup = "pos-same", Metric = "accuracy",
                Value = 0.61, NTrain = 30, NTest = 9, Classes = ["A", "B", "C"],
            },
            new SummaryRecord
            {
                Encoder = encoder, Family = "SUP", Experiment = "knn", Task = "jpeg", Setup = "uniform", Metric = "accuracy",
                Value = 0.58, Std = 0.01, NTrain = 30, NTest = 9, Classes = ["A", "B", "C"],
            },
            new SummaryRecord
            {
                Encoder = encoder, Family = "SUP", Experiment = "retrieval", Task = "paircams", Setup = "hard", Metric = "recall@1",
                Value = 0.4, NTrain = 0, NTest = 20, Classes = ["phone", "camera"],
            },
        ],
        Skipped = [new SkippedInput("photos/broken, \"quoted\".jpg", "not an image")],
    };

    [Fact]
    public void Written_summary_follows_the_published_schema()
    {
        var folder = TestData.TempFolder("report");
        var written = ReportWriter.Write(Sample(), folder);
        SummarySchema.AssertValid(File.ReadAllText(written.SummaryPath));
    }

    [Fact]
    public void The_schema_rejects_a_record_without_a_metric()
    {
        var folder = TestData.TempFolder("report");
        var written = ReportWriter.Write(Sample(), folder);
        var json = File.ReadAllText(written.SummaryPath).Replace("\"metric\": \"top1\",", "");
        Assert.False(SummarySchema.Evaluate(json).IsValid);
    }

    [Fact]
    public void Csv_has_one_row_per_record_with_the_same_values()
    {
        var folder = TestData.TempFolder("report");
        var written = ReportWriter.Write(Sample(), folder);
        var lines = File.ReadAllLines(written.CsvPath);
        Assert.Equal(string.Join(",", SummaryCsv.Columns), lines[0]);
        Assert.Equal(Sample().Records.Count, lines.Length - 1);
        var first = lines[1].Split(',');
        Assert.Equal("resnet18", first[0]);
        Assert.Equal(0.253, double.Parse(first[6], CultureInfo.InvariantCulture));
        Assert.Equal("A;B;C", first[11]);
    }

    [Fact]
    public void Markdown_report_agrees_with_the_summary_and_links_its_figures()
    {
        var folder = TestData.TempFolder("report");
        var written = ReportWriter.Write(Sample(), folder);
        var md = File.ReadAllText(written.ReportPath);
        Assert.Contains("| resnet18 | SUP | processing | jpeg | 25.3% |", md);
        Assert.Contains("33.3%", md); // chance
        Assert.Contains("61.0%", md); // kNN pos-same
        Assert.Contains("58.0 ± 1.0%", md); // uniform with its std
        Assert.Contains("broken", md);
        foreach (var figure in written.Figures)
            Assert.Contains("](figures/" + Path.GetFileName(figure.PngPath) + ")", md);
    }

    [Fact]
    public void Figures_are_real_png_and_svg_files_for_probes_confusions_knn_and_retrieval()
    {
        var folder = TestData.TempFolder("report");
        var written = ReportWriter.Write(Sample(), folder);
        var names = written.Figures.Select(f => Path.GetFileNameWithoutExtension(f.PngPath)).ToList();
        Assert.Equal(["probe-processing-jpeg", "confusion-processing-resnet18-jpeg", "knn-jpeg", "retrieval"], names);
        foreach (var figure in written.Figures)
        {
            var png = File.ReadAllBytes(figure.PngPath);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
            Assert.True(png.Length > 2000, $"{figure.PngPath} is suspiciously small");
            Assert.Contains("<svg", File.ReadAllText(figure.SvgPath));
        }
    }

    [Fact]
    public async Task Report_command_combines_summaries_without_recomputing()
    {
        var a = TestData.TempFolder("a");
        var b = TestData.TempFolder("b");
        Sample("resnet18", 0.25, seed: 1).Write(Path.Combine(a, "summary.json"));
        Sample("clip-vit-b16", 0.75, seed: 2).Write(Path.Combine(b, "summary.json"));
        var output = TestData.TempFolder("combined");
        var exit = await TraceProbeApp.RunAsync(["report", "--in", a, "--in", b, "--out", output, "--quiet"]);
        Assert.Equal(0, exit);
        var combined = Summary.Read(Path.Combine(output, "summary.json"));
        Assert.Equal(2 * Sample().Records.Count, combined.Records.Count);
        Assert.Contains("seed 1", combined.Settings["combined_from"]);
        Assert.Contains("seed 2", combined.Settings["combined_from"]);
        var md = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("| clip-vit-b16 | SUP | processing | jpeg | 75.0% |", md);
        Assert.Contains("| resnet18 | SUP | processing | jpeg | 25.0% |", md);
    }
}
