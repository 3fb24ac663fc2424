using System.Globalization;
using TraceProbe.Cli;
using TraceProbe.Common;
using TraceProbe.Reports;
using TraceProbe.Results;
using TraceProbe.Tests.Support;

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
                Ci95 = [top1 - 0.053, top1 + 0.057], NTestPhotos = 12,
                Confusion = [[2, 1, 0], [0, 3, 0], [1, 1, 1]],
                Details = new Dictionary<string, string> { ["lambda"] = "1e-05" },
            },
            new SummaryRecord
            {
                Encoder = encoder, Family = "SUP", Experiment = "acquisition", Task = "make", Setup = "probe", Metric = "top1",
                Value = 0.55, Chance = 0.5, NTrain = 40, NTest = 20, Classes = ["Canon", "Nikon"], Ci95 = [0.35, 0.75], NTestPhotos = 20,
            },
            new SummaryRecord
            {
                Encoder = encoder, Family = "SUP", Experiment = "knn", Task = "jpeg", Setup = "pos-same", Metric = "accuracy",
                Value = 0.61, Chance = 0.2, NTrain = 30, NTest = 9, Classes = ["A", "B", "C"], Ci95 = [0.52, 0.70], NTestPhotos = 12,
            },
            new SummaryRecord
            {
                Encoder = encoder, Family = "SUP", Experiment = "knn", Task = "jpeg", Setup = "uniform", Metric = "accuracy",
                Value = 0.58, Std = 0.01, NTrain = 30, NTest = 9, Classes = ["A", "B", "C"],
            },
            new SummaryRecord
            {
                Encoder = encoder, Family = "SUP", Experiment = "retrieval", Task = "paircams", Setup = "hard", Metric = "recall@1",
                Value = 0.4, NTrain = 0, NTest = 20, Classes = ["phone", "camera"], Ci95 = [0.25, 0.55], NTestPhotos = 20,
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
    public void The_schema_rejects_an_interval_that_is_not_a_pair()
    {
        var folder = TestData.TempFolder("report");
        var written = ReportWriter.Write(Sample(), folder);
        var json = File.ReadAllText(written.SummaryPath);
        SummarySchema.AssertValid(json);
        var three = System.Text.RegularExpressions.Regex.Replace(json, @"""ci95"": \[\s*([0-9.]+),", @"""ci95"": [ 0.1, $1,", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        Assert.NotEqual(json, three);
        Assert.False(SummarySchema.Evaluate(three).IsValid);
        Assert.False(SummarySchema.Evaluate(json.Replace("\"n_test_photos\": 12", "\"n_test_photos\": 0")).IsValid);
    }

    [Fact]
    public void Summary_keeps_the_interval_and_the_held_out_photos()
    {
        var folder = TestData.TempFolder("report");
        var written = ReportWriter.Write(Sample(), folder);
        var back = Summary.Read(written.SummaryPath).Records[0];
        Assert.Equal([0.253 - 0.053, 0.253 + 0.057], back.Ci95!);
        Assert.Equal(12, back.NTestPhotos);
        Assert.Contains("\"ci95\": [", File.ReadAllText(written.SummaryPath));
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
        Assert.Equal(0.2, double.Parse(first[12], CultureInfo.InvariantCulture), 12);
        Assert.Equal(0.31, double.Parse(first[13], CultureInfo.InvariantCulture), 12);
        Assert.Equal("12", first[14]);
    }

    [Fact]
    public void Markdown_report_agrees_with_the_summary_and_links_its_figures()
    {
        var folder = TestData.TempFolder("report");
        var written = ReportWriter.Write(Sample(), folder);
        var md = File.ReadAllText(written.ReportPath);
        Assert.Contains("| resnet18 | SUP | processing | jpeg | 25.3% [20.0, 31.0] |", md);
        Assert.Contains("| 33.3% | **not above chance** | 12 |", md); // the interval reaches chance (33.3%)
        Assert.Contains("| acquisition | make | 55.0% [35.0, 75.0] | – | 50.0% | **not above chance** | 20 |", md);
        Assert.Contains("61.0% [52.0, 70.0]", md); // kNN pos-same
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
        Assert.Equal(["overview", "probe-processing-jpeg", "probe-acquisition-make", "confusion-processing-resnet18-jpeg", "knn-jpeg", "retrieval"], names);
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
        Assert.Contains("| clip-vit-b16 | SUP | processing | jpeg | 75.0% [", md);
        Assert.Contains("| resnet18 | SUP | processing | jpeg | 25.0% [", md);
    }

    [Fact]
    public void The_paper_reference_is_marked_as_the_papers_and_not_comparable_in_quick_mode()
    {
        var md = MarkdownReport.Render(Sample());
        Assert.Contains("## The paper's published results (reference)", md);
        Assert.Contains("| processing | jpeg | probe | ImageNet | 72.4% | 42.0% | 35.7% |", md);
        Assert.Contains("| retrieval | paircams | hard | PairCams | 94.5% | 95.7% | 98.1% |", md);
        Assert.Contains("**not comparable**", md);
        Assert.DoesNotContain("This run SUP", md);

        var paper = Sample() with { Settings = new Dictionary<string, string> { ["protocol"] = "paper" } };
        var paperMd = MarkdownReport.Render(paper);
        Assert.Contains("This run SUP", paperMd);
        Assert.Contains("| processing | jpeg | probe | ImageNet | 72.4% | 42.0% | 35.7% | – | 25.3% | – |", paperMd);
        Assert.Contains("but departs from the paper's protocol", paperMd);
        var faithful = Sample() with { Settings = new Dictionary<string, string> { [SettingNames.Protocol] = "paper", [SettingNames.PaperDepartures] = "" } };
        Assert.Contains("nothing in it departs from the paper's protocol", MarkdownReport.Render(faithful));
    }

    [Fact]
    public void The_run_table_prints_intervals_and_not_run_tasks_without_markup_errors()
    {
        // The intervals' brackets and the headers' are Spectre markup unless escaped; a bad one throws.
        var folder = TestData.TempFolder("table");
        var summary = Sample() with { NotRun = [new NotRunTask { Encoder = "resnet18", Experiment = "acquisition", Task = "iso", Reason = "4 held-out photos [test]", TestPhotos = 4 }] };
        var written = ReportWriter.Write(summary, folder);
        var piped = new StringWriter();
        RunCommand.PrintTable(piped, summary, written);
        // Not a terminal: tab-separated rows, header first, every interval whole in its cell.
        var lines = piped.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Encoder\tTask\tTop-1 [95% CI]\tMean recall [95% CI]\tChance\tTop-1 vs chance\tTest photos", lines[0]);
        var probes = summary.Records.Where(r => r.Setup == SetupNames.Probe && r.Metric == MetricNames.Top1).ToList();
        Assert.Equal(probes.Count, lines.Count(l => l.Split('\t').Length == 7) - 1);
        Assert.Contains(lines, l => l.Split('\t')[2] == ResultText.Value(probes[0]));
        Assert.Contains("not run: resnet18/iso (acquisition): 4 held-out photos [test]", piped.ToString());
    }
}
