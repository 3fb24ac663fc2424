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

    private static readonly string[] KnnSetups = ["all-same", "pos-same", "neg-same", "all-diff", "uniform"];

    public static IReadOnlyList<Figure> WriteAll(Summary summary, string folder)
    {
        Directory.CreateDirectory(folder);
        var figures = new List<Figure>();
        var probes = summary.Records.Where(r => r.Setup == "probe" && r.Metric == "top1").ToList();
        foreach (var task in probes.GroupBy(r => (r.Experiment, r.Task)))
            figures.Add(ProbeBars(task.Key.Experiment, task.Key.Task, task.ToList(), folder));
        foreach (var r in probes.Where(r => r.Confusion is not null))
            figures.Add(Confusion(r, folder));
        foreach (var task in summary.Records.Where(r => r.Experiment == "knn" && KnnSetups.Contains(r.Setup)).GroupBy(r => r.Task))
            figures.Add(KnnBars(task.Key, task.ToList(), folder));
        var retrieval = summary.Records.Where(r => r.Experiment == "retrieval").ToList();
        if (retrieval.Count > 0) figures.Add(RetrievalBars(retrieval, folder));
        return figures;
    }

    /// <summary>Top-1 per encoder, encoders ordered by family as in the paper, with the chance level.</summary>
    private static Figure ProbeBars(string experiment, string task, IReadOnlyList<SummaryRecord> records, string folder)
    {
        var plot = new Plot();
        var ordered = records.OrderBy(r => FamilyOrder(r.Family)).ThenBy(r => r.Encoder, StringComparer.Ordinal).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            var r = ordered[i];
            plot.Add.Bar(new Bar
            {
                Position = i,
                Value = 100 * r.Value,
                Error = 100 * (r.Std ?? 0),
                FillColor = ColourOf(r.Family),
            });
        }
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
        plot.Axes.Left.Label.Text = "top-1 accuracy (%)";
        plot.Axes.SetLimitsY(0, 100);
        plot.Title($"{experiment}: {task}");
        return Save(plot, folder, $"probe-{experiment}-{task}", $"Probe accuracy, {experiment} task '{task}'", Math.Max(480, 60 * ordered.Count + 160), 420);
    }

    private static Figure Confusion(SummaryRecord r, string folder)
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
        plot.Title($"{r.Encoder}: {r.Task} (top-1 {100 * r.Value:0.0}%)");
        return Save(plot, folder, $"confusion-{r.Experiment}-{r.Encoder}-{r.Task}", $"Confusion matrix, {r.Encoder} on {r.Experiment} task '{r.Task}'", 560, 520);
    }

    private static Figure KnnBars(string task, IReadOnlyList<SummaryRecord> records, string folder)
    {
        var plot = new Plot();
        var encoders = records.Select(r => r.Encoder).Distinct().Order(StringComparer.Ordinal).ToList();
        var palette = new ScottPlot.Palettes.Category10();
        for (var s = 0; s < KnnSetups.Length; s++)
        {
            foreach (var (encoder, e) in encoders.Select((x, i) => (x, i)))
            {
                var r = records.FirstOrDefault(x => x.Encoder == encoder && x.Setup == KnnSetups[s]);
                if (r is null) continue;
                plot.Add.Bar(new Bar
                {
                    Position = e * (KnnSetups.Length + 1) + s,
                    Value = 100 * r.Value,
                    Error = 100 * (r.Std ?? 0),
                    FillColor = palette.GetColor(s),
                });
            }
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = KnnSetups[s], FillColor = palette.GetColor(s) });
        }
        plot.Axes.Bottom.SetTicks(encoders.Select((_, e) => e * (KnnSetups.Length + 1) + (KnnSetups.Length - 1) / 2.0).ToArray(), encoders.ToArray());
        plot.Legend.IsVisible = true;
        plot.Axes.Left.Label.Text = "kNN accuracy (%)";
        plot.Axes.SetLimitsY(0, 100);
        plot.Title($"kNN set-ups: {task}");
        return Save(plot, folder, $"knn-{task}", $"kNN accuracy per set-up, task '{task}'", Math.Max(560, 200 * encoders.Count), 420);
    }

    private static Figure RetrievalBars(IReadOnlyList<SummaryRecord> records, string folder)
    {
        var plot = new Plot();
        var encoders = records.Select(r => r.Encoder).Distinct().Order(StringComparer.Ordinal).ToList();
        string[] setups = ["hard", "easy"];
        var palette = new ScottPlot.Palettes.Category10();
        for (var s = 0; s < setups.Length; s++)
        {
            foreach (var (encoder, e) in encoders.Select((x, i) => (x, i)))
            {
                var r = records.FirstOrDefault(x => x.Encoder == encoder && x.Setup == setups[s]);
                if (r is null) continue;
                plot.Add.Bar(new Bar { Position = e * 3 + s, Value = 100 * r.Value, FillColor = palette.GetColor(s) });
            }
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{setups[s]} negatives", FillColor = palette.GetColor(s) });
        }
        plot.Axes.Bottom.SetTicks(encoders.Select((_, e) => e * 3 + 0.5).ToArray(), encoders.ToArray());
        plot.Legend.IsVisible = true;
        plot.Axes.Left.Label.Text = "Recall@1 (%)";
        plot.Axes.SetLimitsY(0, 100);
        plot.Title("Near-duplicate retrieval");
        return Save(plot, folder, "retrieval", "Near-duplicate retrieval, Recall@1 with hard and easy negatives", Math.Max(480, 120 * encoders.Count), 420);
    }

    private static void Labels(Plot plot, string[] names)
    {
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, names.Length).Select(i => (double)i).ToArray(), names);
        if (names.Length > 4)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = 8 * names.Max(n => n.Length) + 20;
        }
    }

    private static void FamilyLegend(Plot plot, IEnumerable<string> families)
    {
        foreach (var family in families.Distinct().OrderBy(FamilyOrder))
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = family, FillColor = ColourOf(family) });
        plot.Legend.IsVisible = true;
        plot.Legend.Alignment = Alignment.UpperRight;
    }

    private static int FamilyOrder(string family) => family.ToUpperInvariant() switch
    {
        "CVL" => 0,
        "SUP" => 1,
        "SSL" => 2,
        _ => 3,
    };

    private static Color ColourOf(string family) => FamilyColours.TryGetValue(family, out var c) ? c : Colors.Gray;

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
