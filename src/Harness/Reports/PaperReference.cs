using System.Globalization;
using System.Text;
using TraceProbe.Common;
using TraceProbe.Results;

namespace TraceProbe.Reports;

/// <summary>
/// The group means the paper publishes (Ramos et al., ICCV 2025, arXiv 2508.10637), per encoder family, as a
/// reference beside a run. They are the paper's numbers on the paper's data (ImageNet, FlickrExif with the centre
/// mask, PairCams); a run is directly comparable only in paper mode on that data.
/// </summary>
public static class PaperReference
{
    /// <summary>One published group mean: (experiment, task, setup, metric) for a family, as a fraction.</summary>
    public sealed record Entry(string Experiment, string Task, string Setup, string Metric, string Data, string Family, double Value);

    private static IEnumerable<Entry> Group(string experiment, string task, string setup, string metric, string data, double? cvl, double? sup, double? ssl)
    {
        if (cvl is { } c) yield return new(experiment, task, setup, metric, data, "CVL", c);
        if (sup is { } s) yield return new(experiment, task, setup, metric, data, "SUP", s);
        if (ssl is { } l) yield return new(experiment, task, setup, metric, data, "SSL", l);
    }

    public static readonly IReadOnlyList<Entry> Entries =
    [
        .. Group(ExperimentNames.Processing, "jpeg", SetupNames.Probe, MetricNames.Top1, "ImageNet", 0.724, 0.420, 0.357),
        .. Group(ExperimentNames.Processing, "sharpen", SetupNames.Probe, MetricNames.Top1, "ImageNet", 0.755, 0.592, 0.573),
        .. Group(ExperimentNames.Processing, "resize", SetupNames.Probe, MetricNames.Top1, "ImageNet", 0.852, 0.680, 0.555),
        .. Group(ExperimentNames.Processing, "interpolation", SetupNames.Probe, MetricNames.Top1, "ImageNet", 0.483, 0.382, 0.323),
        .. Group(ExperimentNames.Acquisition, "make", SetupNames.Probe, MetricNames.Top1, "FlickrExif, masked", 0.256, 0.220, 0.139),
        .. Group(ExperimentNames.Acquisition, "is-smartphone", SetupNames.Probe, MetricNames.Top1, "FlickrExif, masked", 0.753, 0.710, 0.558),
        .. Group(ExperimentNames.Acquisition, "focal-length", SetupNames.Probe, MetricNames.Top1, "FlickrExif, masked", 0.213, 0.186, 0.100),
        .. Group(ExperimentNames.Knn, "jpeg", KnnSetup.AllSame.Name, MetricNames.Accuracy, "ImageNet", 0.759, null, null),
        .. Group(ExperimentNames.Knn, "jpeg", KnnSetup.PosSame.Name, MetricNames.Accuracy, "ImageNet", 0.819, null, null),
        .. Group(ExperimentNames.Knn, "jpeg", KnnSetup.NegSame.Name, MetricNames.Accuracy, "ImageNet", 0.664, null, null),
        .. Group(ExperimentNames.Retrieval, "paircams", SetupNames.Hard, MetricNames.RecallAt1, "PairCams", 0.945, 0.957, 0.981),
        .. Group(ExperimentNames.Retrieval, "paircams", SetupNames.Easy, MetricNames.RecallAt1, "PairCams", 0.995, 0.985, 0.996),
    ];

    private static readonly string[] Families = ["CVL", "SUP", "SSL"];

    /// <summary>Whether the run used the paper's protocol; only then are its family means set beside the paper's.</summary>
    public static bool IsPaperMode(Summary summary) =>
        summary.Settings.TryGetValue(SettingNames.Protocol, out var p) && p.Equals("paper", StringComparison.OrdinalIgnoreCase);

    /// <summary>Paper mode with nothing departing from the paper's protocol (a summary that does not say: not known to be).</summary>
    public static bool NothingDeparts(Summary summary) =>
        IsPaperMode(summary) && summary.Settings.TryGetValue(SettingNames.PaperDepartures, out var d) && string.IsNullOrWhiteSpace(d);

    /// <summary>The reference table of report.md.</summary>
    public static void Render(StringBuilder md, Summary summary)
    {
        var paperMode = IsPaperMode(summary);
        var images = summary.Settings.GetValueOrDefault("images", "the run's images");
        md.AppendLine("## The paper's published results (reference)").AppendLine();
        md.AppendLine("Group means per encoder family as **published in the paper** (Ramos et al., ICCV 2025), on **the paper's data** " +
                      "and its 47 encoders; not computed by this run.");
        md.AppendLine(!paperMode
            ? $"This run is in quick mode on {images}: different photos, crops, probe and encoders, so its numbers are **not comparable** with these; run `--protocol paper` on the paper's data to compare."
            : NothingDeparts(summary)
                ? $"This run is in paper mode on {images}, and nothing in it departs from the paper's protocol: its family means stand beside the paper's, directly comparable where its data is the row's (the data column) and its encoders are the paper's."
                : $"This run is in paper mode on {images}, but departs from the paper's protocol (see \"Comparable with the paper?\"): its family means stand beside the paper's, to be compared with those departures in mind.");
        md.AppendLine();
        md.Append("| Experiment | Task | Setup | Data (paper) | Paper CVL | Paper SUP | Paper SSL |");
        if (paperMode) md.Append(" This run CVL | This run SUP | This run SSL |");
        md.AppendLine();
        md.AppendLine("|---|---|---|---|---:|---:|---:|" + (paperMode ? "---:|---:|---:|" : ""));
        foreach (var row in Entries.GroupBy(e => (e.Experiment, e.Task, e.Setup, e.Metric, e.Data)))
        {
            md.Append($"| {row.Key.Experiment} | {row.Key.Task} | {row.Key.Setup} | {row.Key.Data} |");
            foreach (var f in Families) md.Append($" {Cell(row.FirstOrDefault(e => e.Family == f)?.Value)} |");
            if (paperMode)
                foreach (var f in Families)
                {
                    var ours = summary.Records.Where(r => r.Experiment == row.Key.Experiment && r.Task == row.Key.Task && r.Setup == row.Key.Setup &&
                                                         r.Metric == row.Key.Metric && r.Family.Equals(f, StringComparison.OrdinalIgnoreCase)).ToList();
                    md.Append($" {(ours.Count == 0 ? "–" : Cell(ours.Average(r => r.Value)))} |");
                }
            md.AppendLine();
        }
        md.AppendLine();
    }

    private static string Cell(double? v) => v is null ? "–" : (100 * v.Value).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
