using ScottPlot;
using TraceProbe.Results;

namespace TraceProbe.Reports;

/// <summary>A figure written as PNG and SVG, and what it shows.</summary>
public sealed record Figure(string Title, string PngPath, string SvgPath);

/// <summary>
/// The paper's figures from a summary: probe accuracy per task grouped by family with the chance line,
/// confusion matrices, kNN set-up bars and retrieval hard/easy bars. Each as PNG (to look at) and SVG (to print).
/// </summary>
public static class Figures
{
    private static readonly IReadOnlyDictionary<string, Color> FamilyColours = new Dictionary<string, Color>(StringComparer.OrdinalIgnoreCase)
    {
        ["CVL"] = Color.FromHex("#1f77b4"),
        ["SUP"] = Color.FromHex("#ff7f0e"),
        ["SSL"] = Color.FromHex("#2ca02c"),
        ["Control"] = Color.FromHex("#7f7f7f"),
    };

    private static readonly IReadOnlyList<string> KnnSetups = SetupNames.Knn;

    public static IReadOnlyList<Figure> WriteAll(Summary summary, string folder)
    {
        Directory.CreateDirectory(folder);
        var figures = new List<Figure>();
        var data = DataOf(summary);
        var overview = OverviewFigure.Write(summary, data, folder);
        if (overview is not null) figures.Add(overview);
        var probes = summary.Records.Where(r => r.Setup == SetupNames.Probe && r.Metric == MetricNames.Top1).ToList();
        foreach (var task in probes.GroupBy(r => (r.Experiment, r.Task)))
            figures.Add(ProbeBars(task.Key.Experiment, task.Key.Task, task.ToList(), data, folder));
        foreach (var r in probes.Where(r => r.Confusion is not null))
            figures.Add(Confusion(r, data, folder));
        foreach (var task in summary.Records.Where(r => r.Experiment == ExperimentNames.Knn && KnnSetups.Contains(r.Setup)).GroupBy(r => r.Task))
            figures.Add(KnnBars(task.Key, task.ToList(), data, folder));
        var retrieval = summary.Records.Where(r => r.Experiment == ExperimentNames.Retrieval).ToList();
        if (retrieval.Count > 0) figures.Add(RetrievalBars(retrieval, data, folder));
        return figures;
    }

    /// <summary>What the numbers were measured on, for titles: the images and the protocol.</summary>
    internal static string DataOf(Summary summary)
    {
        var images = summary.Settings.GetValueOrDefault("images", "");
        var name = images is "" ? "the run's images" : images == "bundled photos" ? "bundled photos" : Path.GetFileName(images.TrimEnd('/', '\\'));
        var photos = summary.Settings.TryGetValue("photos", out var n) ? $" ({n})" : "";
        var protocol = summary.Settings.GetValueOrDefault(SettingNames.Protocol, "");
        return $"{name}{photos}" + (protocol is "" ? "" : $", {protocol} protocol");
    }

    /// <summary>
    /// Whiskers for bars at <paramref name="bars"/>' positions: the record's 95% interval (asymmetric, so drawn as its
    /// own error-bar plottable; a bar's own error is symmetric), else ± the std over seeds.
    /// </summary>
    internal static void AddIntervals(Plot plot, IReadOnlyList<(double X, SummaryRecord R)> bars)
    {
        var shown = bars.Where(b => b.R.Ci95 is [_, _] || b.R.Std is not null).ToList();
        if (shown.Count == 0) return;
        var whiskers = plot.Add.ErrorBar(shown.Select(b => b.X).ToList(), shown.Select(b => 100 * b.R.Value).ToList(), shown.Select(_ => 0.0).ToList());
        whiskers.YErrorNegative = shown.Select(b => b.R.Ci95 is [var low, _] ? Math.Max(0, 100 * (b.R.Value - low)) : 100 * b.R.Std!.Value).ToList();
        whiskers.YErrorPositive = shown.Select(b => b.R.Ci95 is [_, var high] ? Math.Max(0, 100 * (high - b.R.Value)) : 100 * b.R.Std!.Value).ToList();
        whiskers.LineColor = Colors.Black;
        whiskers.LineWidth = 1.5f;
        whiskers.CapSize = 6;
    }

    /// <summary>"ns" above each bar whose 95% interval reaches chance: not above chance.</summary>
    internal static void MarkNotAboveChance(Plot plot, IReadOnlyList<(double X, SummaryRecord R)> bars)
    {
        foreach (var (x, r) in bars.Where(b => ResultText.AboveChance(b.R) == false))
        {
            var top = 100 * Math.Max(r.Value, r.Ci95![1]);
            var label = plot.Add.Text("ns", x, Math.Min(97, top + 4));
            label.LabelFontSize = 11;
            label.LabelBold = true;
            label.LabelAlignment = Alignment.LowerCenter;
        }
    }

    /// <summary>Top-1 per encoder, encoders ordered by family as in the paper, with the chance level.</summary>
    private static Figure ProbeBars(string experiment, string task, IReadOnlyList<SummaryRecord> records, string data, string folder)
    {
        var plot = new Plot();
        var ordered = records.OrderBy(r => FamilyOrder(r.Family)).ThenBy(r => r.Encoder, StringComparer.Ordinal).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            var r = ordered[i];
            plot.Add.Bar(new Bar { Position = i, Value = 100 * r.Value, FillColor = ColourOf(r.Family) });
        }
        AddIntervals(plot, ordered.Select((r, i) => ((double)i, r)).ToList());
        MarkNotAboveChance(plot, ordered.Select((r, i) => ((double)i, r)).ToList());
        var chance = ordered.Select(r => r.Chance).FirstOrDefault(c => c is not null);
        if (chance is not null)
        {
            var line = plot.Add.HorizontalLine(100 * chance.Value);
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Black;
            line.LegendText = "chance";
        }
        Labels(plot, ordered.Select(r => r.Encoder).ToArray());
        FamilyLegend(plot, ordered.Select(r => r.Family));
        plot.Axes.Left.Label.Text = "top-1 accuracy on held-out photos (%)";
        plot.Axes.Bottom.Label.Text = "encoder (bars: 95% interval; ns: not above chance)";
        plot.Axes.Bottom.Label.FontSize = plot.Axes.Left.Label.FontSize = 13;
        plot.Axes.SetLimitsY(0, 100);
        var photos = ordered.Select(r => r.NTestPhotos).FirstOrDefault(n => n is not null);
        plot.Title($"Linear probe, {experiment} task '{task}' ({ordered[0].Classes.Count} classes)\non {data}" +
                   (photos is null ? "" : $"; {photos} held-out photos"), size: 13);
        return Save(plot, folder, $"probe-{experiment}-{task}", $"Probe top-1 per encoder, {experiment} task '{task}', on {data}, with 95% intervals and chance",
            Math.Max(520, 60 * ordered.Count + 160), 440);
    }

    private static Figure Confusion(SummaryRecord r, string data, string folder)
    {
        var n = r.Classes.Count;
        var values = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            var total = Math.Max(1, r.Confusion![i].Sum());
            // Rows normalised: each true class's share of predictions, comparable across classes of different size.
            for (var j = 0; j < n; j++) values[i, j] = (double)r.Confusion[i][j] / total;
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        plot.Add.ColorBar(heatmap);
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                // Heatmap row 0 is drawn at the top: true class i sits at y = n - 1 - i.
                var text = plot.Add.Text(r.Confusion![i][j].ToString(), j, n - 1 - i);
                text.LabelFontColor = values[i, j] > 0.6 ? Colors.Black : Colors.White;
                text.LabelAlignment = Alignment.MiddleCenter;
            }
        var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, r.Classes.ToArray());
        plot.Axes.Left.SetTicks(positions, r.Classes.Reverse().ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 110; // room for the rotated class names above the axis label
        plot.Axes.Bottom.Label.Text = "predicted";
        plot.Axes.Left.Label.Text = "true";
        plot.Title($"{r.Encoder}, {r.Experiment} task '{r.Task}': top-1 {100 * r.Value:0.0}%\nrows normalised, counts written in; {data}", size: 13);
        return Save(plot, folder, $"confusion-{r.Experiment}-{r.Encoder}-{r.Task}", $"Confusion matrix, {r.Encoder} on {r.Experiment} task '{r.Task}', on {data}", 600, 560);
    }

    private static Figure KnnBars(string task, IReadOnlyList<SummaryRecord> records, string data, string folder)
    {
        var plot = new Plot();
        var encoders = records.Select(r => r.Encoder).Distinct().Order(StringComparer.Ordinal).ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var whiskers = new List<(double, SummaryRecord)>();
        for (var s = 0; s < KnnSetups.Count; s++)
        {
            foreach (var (encoder, e) in encoders.Select((x, i) => (x, i)))
            {
                var r = records.FirstOrDefault(x => x.Encoder == encoder && x.Setup == KnnSetups[s]);
                if (r is null) continue;
                plot.Add.Bar(new Bar { Position = e * (KnnSetups.Count + 1) + s, Value = 100 * r.Value, FillColor = palette.GetColor(s) });
                whiskers.Add((e * (KnnSetups.Count + 1) + s, r));
            }
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = KnnSetups[s], FillColor = palette.GetColor(s) });
        }
        AddIntervals(plot, whiskers);
        plot.Axes.Bottom.SetTicks(encoders.Select((_, e) => e * (KnnSetups.Count + 1) + (KnnSetups.Count - 1) / 2.0).ToArray(), encoders.ToArray());
        plot.ShowLegend(Edge.Right);
        var chance = records.Select(r => r.Chance).FirstOrDefault(c => c is not null);
        if (chance is not null)
        {
            var line = plot.Add.HorizontalLine(100 * chance.Value);
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Black;
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "chance", LineColor = Colors.Black, LinePattern = LinePattern.Dashed, LineWidth = 1 });
        }
        plot.Axes.Left.Label.Text = "semantic kNN accuracy (%)";
        plot.Axes.Bottom.Label.Text = "encoder (bars: 95% interval)";
        plot.Axes.Bottom.Label.FontSize = plot.Axes.Left.Label.FontSize = 13;
        plot.Axes.SetLimitsY(0, 100);
        var queries = records.Select(r => r.NTestPhotos).FirstOrDefault(n => n is not null);
        plot.Title($"kNN under processing set-ups, task '{task}'\non {data}" + (queries is null ? "" : $"; {queries} query photos"), size: 13);
        return Save(plot, folder, $"knn-{task}", $"kNN accuracy per set-up, task '{task}', on {data}", Math.Max(600, 200 * encoders.Count), 440);
    }

    private static Figure RetrievalBars(IReadOnlyList<SummaryRecord> records, string data, string folder)
    {
        var plot = new Plot();
        var encoders = records.Select(r => r.Encoder).Distinct().Order(StringComparer.Ordinal).ToList();
        string[] setups = [SetupNames.Hard, SetupNames.Easy];
        var palette = new ScottPlot.Palettes.Category10();
        var whiskers = new List<(double, SummaryRecord)>();
        for (var s = 0; s < setups.Length; s++)
        {
            foreach (var (encoder, e) in encoders.Select((x, i) => (x, i)))
            {
                var r = records.FirstOrDefault(x => x.Encoder == encoder && x.Setup == setups[s]);
                if (r is null) continue;
                plot.Add.Bar(new Bar { Position = e * 3 + s, Value = 100 * r.Value, FillColor = palette.GetColor(s) });
                whiskers.Add((e * 3 + s, r));
            }
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{setups[s]} negatives", FillColor = palette.GetColor(s) });
        }
        AddIntervals(plot, whiskers);
        plot.Axes.Bottom.SetTicks(encoders.Select((_, e) => e * 3 + 0.5).ToArray(), encoders.ToArray());
        plot.ShowLegend(Edge.Right);
        plot.Axes.Left.Label.Text = "Recall@1 (%)";
        plot.Axes.Bottom.Label.Text = "encoder (bars: 95% interval)";
        plot.Axes.Bottom.Label.FontSize = plot.Axes.Left.Label.FontSize = 13;
        plot.Axes.SetLimitsY(0, 100);
        plot.Title($"Near-duplicate retrieval (phone ↔ camera pairs)\non {data}", size: 13);
        return Save(plot, folder, "retrieval", $"Near-duplicate retrieval, Recall@1 with hard and easy negatives, on {data}", Math.Max(520, 120 * encoders.Count), 440);
    }

    internal static void Labels(Plot plot, string[] names)
    {
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, names.Length).Select(i => (double)i).ToArray(), names);
        if (names.Length > 4)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = 8 * names.Max(n => n.Length) + 20;
        }
    }

    internal static void FamilyLegend(Plot plot, IEnumerable<string> families)
    {
        foreach (var family in families.Distinct().OrderBy(FamilyOrder))
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = family, FillColor = ColourOf(family) });
        plot.Legend.IsVisible = true;
        plot.Legend.Alignment = Alignment.UpperRight;
    }

    internal static int FamilyOrder(string family) => family.ToUpperInvariant() switch
    {
        "CVL" => 0,
        "SUP" => 1,
        "SSL" => 2,
        _ => 3,
    };

    internal static Color ColourOf(string family) => FamilyColours.TryGetValue(family, out var c) ? c : Colors.Gray;

    private static Figure Save(Plot plot, string folder, string name, string title, int width, int height)
    {
        var safe = string.Concat(name.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_'));
        var png = Path.Combine(folder, safe + ".png");
        var svg = Path.Combine(folder, safe + ".svg");
        plot.SavePng(png, width, height);
        plot.SaveSvg(svg, width, height);
        return new Figure(title, png, svg);
    }
}
