using TraceProbe.Results;

namespace TraceProbe.Reports;

/// <summary>Writes everything a summary turns into: summary.json, summary.csv, report.md and the figures.</summary>
public static class ReportWriter
{
    public sealed record Written(string SummaryPath, string CsvPath, string ReportPath, IReadOnlyList<Figure> Figures);

    public static Written Write(Summary summary, string folder)
    {
        Directory.CreateDirectory(folder);
        var summaryPath = Path.Combine(folder, "summary.json");
        var csvPath = Path.Combine(folder, "summary.csv");
        var reportPath = Path.Combine(folder, "report.md");
        summary.Write(summaryPath);
        File.WriteAllText(csvPath, SummaryCsv.Render(summary));
        var figures = Figures.WriteAll(summary, Path.Combine(folder, "figures"));
        File.WriteAllText(reportPath, MarkdownReport.Render(summary, figures, folder));
        return new Written(summaryPath, csvPath, reportPath, figures);
    }

    /// <summary>One summary from several (e.g. shards of a study run on different machines or days).</summary>
    public static Summary Combine(IReadOnlyList<(string Source, Summary Summary)> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("No summaries to combine.", nameof(parts));
        if (parts.Count == 1) return parts[0].Summary;
        var first = parts[0].Summary;
        var settings = new SortedDictionary<string, string>(first.Settings.ToDictionary())
        {
            ["combined_from"] = string.Join("; ", parts.Select(p => $"{p.Source} (seed {p.Summary.Seed}, {p.Summary.CreatedUtc:u})")),
        };
        return first with
        {
            CreatedUtc = parts.Max(p => p.Summary.CreatedUtc),
            Settings = settings,
            Records = parts.SelectMany(p => p.Summary.Records).ToList(),
            Skipped = parts.SelectMany(p => p.Summary.Skipped).Distinct().OrderBy(s => s.Path, StringComparer.Ordinal).ToList(),
            NotRun = parts.SelectMany(p => p.Summary.NotRun).ToList(),
        };
    }
}
