using ScottPlot;
using SkiaSharp;
using TraceProbe.Common;
using TraceProbe.Results;

namespace TraceProbe.Reports;

/// <summary>
/// Every task of a run in one grid of panels, in the paper's style: per panel one bar per encoder, grouped and
/// coloured by family (CVL, SUP, SSL), its 95% interval, and the chance level dashed. Probes show top-1, kNN its
/// all-same accuracy, retrieval its Recall@1 with hard negatives.
/// </summary>
public static class OverviewFigure
{
    private const int Header = 70;

    /// <summary>One panel: a task's records under one (setup, metric).</summary>
    private sealed record Panel(string Title, string Axis, IReadOnlyList<SummaryRecord> Records, string Units = "held-out photos");

    public static Figure? Write(Summary summary, string data, string folder)
    {
        var panels = Panels(summary);
        if (panels.Count == 0) return null;
        var encoders = summary.Records.Select(r => r.Encoder).Distinct().Count();
        var cols = Math.Min(4, panels.Count);
        var rows = (panels.Count + cols - 1) / cols;
        var panelWidth = Math.Max(330, 26 * encoders + 150);
        var width = cols * panelWidth;
        var height = Header + rows * 320;

        // A new Multiplot holds one empty plot: Reset replaces it with the first panel.
        var multiplot = new Multiplot();
        multiplot.Reset(PanelPlot(panels[0]));
        foreach (var panel in panels.Skip(1)) multiplot.AddPlot(PanelPlot(panel));
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, cols);

        var legend = summary.Records.Select(r => r.Family).Distinct().OrderBy(Figures.FamilyOrder).ToList();
        var title = $"Traces in encoder embeddings: every task on {data}";
        var subtitle = "bars: one per encoder, grouped and coloured by family; whiskers: 95% interval over held-out photos; dashed line: chance; ns: not above chance";

        var png = Path.Combine(folder, "overview.png");
        var svg = Path.Combine(folder, "overview.svg");
        using (var surface = SKSurface.Create(new SKImageInfo(width, height)))
        {
            Draw(surface.Canvas, multiplot, width, height, title, subtitle, legend);
            using var image = surface.Snapshot();
            using var encoded = image.Encode(SKEncodedImageFormat.Png, 100);
            using var file = File.Create(png);
            encoded.SaveTo(file);
        }
        using (var stream = File.Create(svg))
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream))
            Draw(canvas, multiplot, width, height, title, subtitle, legend);
        return new Figure($"Overview: every task, bars per encoder by family with 95% intervals and chance, on {data}", png, svg);
    }

    private static IReadOnlyList<Panel> Panels(Summary summary)
    {
        var panels = new List<Panel>();
        foreach (var g in summary.Records.Where(r => r.Setup == SetupNames.Probe && r.Metric == MetricNames.Top1 && r.Experiment is ExperimentNames.Processing or ExperimentNames.Acquisition)
                     .GroupBy(r => (r.Experiment, r.Task)).OrderBy(g => g.Key.Experiment == ExperimentNames.Processing ? 0 : 1))
            panels.Add(new Panel($"{g.Key.Experiment}: {g.Key.Task} ({g.First().Classes.Count} classes)", "probe top-1 (%)", g.ToList()));
        foreach (var g in summary.Records.Where(r => r.Experiment == ExperimentNames.Knn && r.Setup == KnnSetup.AllSame.Name).GroupBy(r => r.Task))
            panels.Add(new Panel($"kNN all-same: {g.Key}", "kNN accuracy (%)", g.ToList(), "query photos"));
        foreach (var g in summary.Records.Where(r => r.Experiment == ExperimentNames.Retrieval && r.Setup == SetupNames.Hard).GroupBy(r => r.Task))
            panels.Add(new Panel($"retrieval, hard negatives: {g.Key}", "Recall@1 (%)", g.ToList(), "pairs"));
        return panels;
    }

    private static Plot PanelPlot(Panel panel)
    {
        var plot = new Plot();
        var ordered = panel.Records.OrderBy(r => Figures.FamilyOrder(r.Family)).ThenBy(r => r.Encoder, StringComparer.Ordinal).ToList();
        // A gap between families, as the paper groups its bars.
        var positions = ordered.Select((r, i) => i + 0.5 * ordered.Take(i + 1).Select(x => Figures.FamilyOrder(x.Family)).Distinct().Count() - 0.5).ToArray();
        for (var i = 0; i < ordered.Count; i++)
            plot.Add.Bar(new Bar { Position = positions[i], Value = 100 * ordered[i].Value, FillColor = Figures.ColourOf(ordered[i].Family) });
        Figures.AddIntervals(plot, ordered.Select((r, i) => (positions[i], r)).ToList());
        Figures.MarkNotAboveChance(plot, ordered.Select((r, i) => (positions[i], r)).ToList());
        var chance = ordered.Select(r => r.Chance).FirstOrDefault(c => c is not null);
        if (chance is not null)
        {
            var line = plot.Add.HorizontalLine(100 * chance.Value);
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Black;
            line.LineWidth = 1;
        }
        plot.Axes.Bottom.SetTicks(positions, ordered.Select(r => r.Encoder).ToArray());
        if (ordered.Count > 3)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = 7 * ordered.Max(r => r.Encoder.Length) + 16;
        }
        var photos = ordered.Select(r => r.NTestPhotos).FirstOrDefault(n => n is not null);
        plot.Axes.Left.Label.Text = panel.Axis;
        plot.Axes.Left.Label.FontSize = 12;
        // Rotated names run down and to the right: room for the last one.
        plot.Axes.SetLimits(positions.Min() - 0.8, positions.Max() + (ordered.Count > 3 ? 1.8 : 0.8), 0, 100);
        plot.Title(panel.Title + (photos is null ? "" : $"\n{photos} {panel.Units}"), size: 12);
        return plot;
    }

    private static void Draw(SKCanvas canvas, Multiplot multiplot, int width, int height, string title, string subtitle, IReadOnlyList<string> families)
    {
        canvas.Clear(SKColors.White);
        // The panels below the header: the grid layout measures from the origin, so move the origin.
        canvas.Save();
        canvas.Translate(0, Header);
        multiplot.Render(canvas, new PixelRect(0, width, height - Header, 0));
        canvas.Restore();
        // The header after the panels, which paint their whole canvas.
        using (var band = new SKPaint { Color = SKColors.White })
            canvas.DrawRect(0, 0, width, Header, band);
        using var titleFont = new SKFont(Fonts.GetTypeface(Fonts.Default, true, false), 18);
        using var subtitleFont = new SKFont(Fonts.GetTypeface(Fonts.Default, false, false), 13);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(title, 16, 28, SKTextAlign.Left, titleFont, paint);
        canvas.DrawText(subtitle, 16, 52, SKTextAlign.Left, subtitleFont, paint);
        // Family colours, right-aligned on the subtitle's line.
        var x = width - 16f;
        foreach (var family in families.Reverse())
        {
            var colour = Figures.ColourOf(family);
            var w = subtitleFont.MeasureText(family);
            x -= w;
            canvas.DrawText(family, x, 52, SKTextAlign.Left, subtitleFont, paint);
            x -= 18;
            using var swatch = new SKPaint { Color = new SKColor(colour.R, colour.G, colour.B), IsAntialias = true };
            canvas.DrawRect(x, 41, 13, 13, swatch);
            x -= 14;
        }
    }
}
