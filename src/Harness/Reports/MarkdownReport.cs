using System.Globalization;
using System.Text;
using TraceProbe.Common;
using TraceProbe.Results;

namespace TraceProbe.Reports;

/// <summary>report.md: the results table, confusion matrices, and how every number was made.</summary>
public static class MarkdownReport
{
    private const string DeparturesKey = SettingNames.PaperDepartures;

    public static string Render(Summary summary, IReadOnlyList<Figure>? figures = null, string? reportFolder = null)
    {
        var md = new StringBuilder();
        var probes = summary.Records.Where(r => r.Setup == SetupNames.Probe).ToList();
        Introduction(md, summary);
        ProbeAccuracy(md, probes);
        KnnInfluence(md, summary.Records.Where(r => r.Experiment == ExperimentNames.Knn).ToList());
        TraceErasure(md, summary);
        Retrieval(md, summary.Records.Where(r => r.Experiment == ExperimentNames.Retrieval).ToList());
        NotRun(md, summary);
        PaperReference.Render(md, summary);
        Figures(md, figures, reportFolder);
        ConfusionMatrices(md, probes);
        Provenance(md, summary, probes);
        Skipped(md, summary);
        return md.ToString();
    }

    /// <summary>What the numbers are, their intervals, and whether the run is comparable with the paper.</summary>
    private static void Introduction(StringBuilder md, Summary summary)
    {
        md.AppendLine("# TraceProbe report").AppendLine();
        md.AppendLine("Linear probes on L2-normalised embeddings; accuracy on held-out photos (split by photo).").AppendLine();
        md.AppendLine("Brackets hold the 95% interval (seeded bootstrap over the held-out photos, each photo with all its crops and " +
                      "processed copies); a result is **not above chance** where that interval reaches the chance level.").AppendLine();
        if (summary.Settings.TryGetValue(DeparturesKey, out var departures))
        {
            md.AppendLine("## Comparable with the paper?").AppendLine();
            var list = departures.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (list.Length == 0) md.AppendLine("Yes: the paper's protocol on the paper's data layout; nothing in this run departs from it.");
            else md.AppendLine("Not directly. This run departs from the paper's protocol in these ways:").AppendLine();
            foreach (var d in list) md.AppendLine($"- {d}");
            md.AppendLine();
        }
    }

    /// <summary>One row per (encoder, experiment, task) probe.</summary>
    private static void ProbeAccuracy(StringBuilder md, IReadOnlyList<SummaryRecord> probes)
    {
        if (probes.Count == 0) return;
        md.AppendLine("## Probe accuracy").AppendLine();
        md.AppendLine("| Encoder | Family | Experiment | Task | Top-1 | Mean per-class recall | Chance | Top-1 vs chance | Test photos | Train | Test |");
        md.AppendLine("|---|---|---|---|---:|---:|---:|---|---:|---:|---:|");
        foreach (var g in probes.GroupBy(r => (r.Encoder, r.Family, r.Experiment, r.Task)))
        {
            var top1 = g.FirstOrDefault(r => r.Metric == MetricNames.Top1);
            var recall = g.FirstOrDefault(r => r.Metric == MetricNames.MeanPerClassRecall);
            var any = top1 ?? recall!;
            md.AppendLine($"| {g.Key.Encoder} | {g.Key.Family} | {g.Key.Experiment} | {g.Key.Task} | {Pct(top1)} | {Pct(recall)} | {Pct(any.Chance)} " +
                          $"| {ResultText.Verdict(top1)} | {Count(any.NTestPhotos)} | {any.NTrain} | {any.NTest} |");
        }
        md.AppendLine();
    }

    /// <summary>The kNN set-ups side by side, one row per (encoder, task).</summary>
    private static void KnnInfluence(StringBuilder md, IReadOnlyList<SummaryRecord> knn)
    {
        if (knn.Count == 0) return;
        md.AppendLine("## kNN influence").AppendLine();
        md.AppendLine($"Semantic kNN accuracy when the database is {SetupGlosses()}. Distraction = |{KnnSetup.PosSame.Name} − {KnnSetup.NegSame.Name}|.").AppendLine();
        var setups = knn.Select(r => r.Setup).Distinct().ToList();
        md.AppendLine("| Encoder | Task | " + string.Join(" | ", setups) + " | Chance | Query photos |");
        md.AppendLine("|---|---|" + string.Concat(setups.Select(_ => "---:|")) + "---:|---:|");
        foreach (var g in knn.GroupBy(r => (r.Encoder, r.Task)))
            md.AppendLine($"| {g.Key.Encoder} | {g.Key.Task} | " + string.Join(" | ", setups.Select(s => Pct(g.FirstOrDefault(r => r.Setup == s)))) +
                          $" | {Pct(g.FirstOrDefault(r => r.Chance is not null)?.Chance)} | {Count(g.First().NTestPhotos)} |");
        md.AppendLine();
    }

    /// <summary>"processed like the query (all-same), …, or at random (uniform)": each set-up of the table in its words.</summary>
    private static string SetupGlosses()
    {
        var glosses = KnnSetup.All.Select(s => $"{s.Gloss} ({s.Name})").ToList();
        return glosses.Count == 1 ? glosses[0] : string.Join(", ", glosses.SkipLast(1)) + ", or " + glosses[^1];
    }

    /// <summary>Before → after the trace's erasure.</summary>
    private static void TraceErasure(StringBuilder md, Summary summary)
    {
        var erasure = summary.Records.Where(r => r.Experiment == ExperimentNames.Erasure).ToList();
        if (erasure.Count == 0) return;
        md.AppendLine("## Trace erasure").AppendLine();
        md.AppendLine("The task's trace removed from the embeddings by a closed-form linear concept eraser (LEACE) fitted on the training crops; before → after.").AppendLine();
        md.AppendLine("| Encoder | Task | Probe top-1 | Chance | kNN all-same | kNN distraction |");
        md.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var g in erasure.GroupBy(r => (r.Encoder, r.Task)))
        {
            SummaryRecord? Before(string setup, string metric) => summary.Records.FirstOrDefault(r =>
                r.Encoder == g.Key.Encoder && r.Task == g.Key.Task && r.Setup == setup && r.Metric == metric && r.Experiment != ExperimentNames.Erasure);
            SummaryRecord? After(string setup, string metric) => g.FirstOrDefault(r => r.Setup == setup && r.Metric == metric);
            md.AppendLine($"| {g.Key.Encoder} | {g.Key.Task} | {Pct(Before(SetupNames.Probe, MetricNames.Top1))} → {Pct(After(SetupNames.Probe, MetricNames.Top1))} | {Pct(After(SetupNames.Probe, MetricNames.Top1)?.Chance)} " +
                          $"| {Pct(Before(KnnSetup.AllSame.Name, MetricNames.Accuracy))} → {Pct(After(KnnSetup.AllSame.Name, MetricNames.Accuracy))} | {Pct(Before(SetupNames.Distraction, MetricNames.DistractionScore))} → {Pct(After(SetupNames.Distraction, MetricNames.DistractionScore))} |");
        }
        md.AppendLine();
    }

    /// <summary>Near-duplicate retrieval, one row per record.</summary>
    private static void Retrieval(StringBuilder md, IReadOnlyList<SummaryRecord> retrieval)
    {
        if (retrieval.Count == 0) return;
        md.AppendLine("## Near-duplicate retrieval").AppendLine();
        md.AppendLine("| Encoder | Task | Setup | Metric | Value | Pairs |");
        md.AppendLine("|---|---|---|---|---:|---:|");
        foreach (var r in retrieval) md.AppendLine($"| {r.Encoder} | {r.Task} | {r.Setup} | {r.Metric} | {Pct(r)} | {Count(r.NTestPhotos ?? r.NTest)} |");
        md.AppendLine();
    }

    /// <summary>Tasks measured or attempted but not reported, with the reason.</summary>
    private static void NotRun(StringBuilder md, Summary summary)
    {
        if (summary.NotRun.Count == 0) return;
        md.AppendLine("## Not run").AppendLine();
        md.AppendLine("Measured or attempted, but not reported: too little data for a result to mean anything.").AppendLine();
        md.AppendLine("| Encoder | Experiment | Task | Reason | Held-out photos |");
        md.AppendLine("|---|---|---|---|---:|");
        foreach (var n in summary.NotRun) md.AppendLine($"| {n.Encoder} | {n.Experiment} | {n.Task} | {n.Reason} | {n.TestPhotos} |");
        md.AppendLine();
    }

    /// <summary>Every figure, linked relative to the report.</summary>
    private static void Figures(StringBuilder md, IReadOnlyList<Figure>? figures, string? reportFolder)
    {
        if (figures is not { Count: > 0 }) return;
        md.AppendLine("## Figures").AppendLine();
        foreach (var f in figures)
        {
            var png = reportFolder is null ? f.PngPath : Path.GetRelativePath(reportFolder, f.PngPath).Replace('\\', '/');
            var svg = reportFolder is null ? f.SvgPath : Path.GetRelativePath(reportFolder, f.SvgPath).Replace('\\', '/');
            md.AppendLine($"![{f.Title}]({png})").AppendLine().AppendLine($"{f.Title} ([SVG]({svg}))").AppendLine();
        }
    }

    /// <summary>The confusion matrix of each probe that has one.</summary>
    private static void ConfusionMatrices(StringBuilder md, IReadOnlyList<SummaryRecord> probes)
    {
        foreach (var r in probes.Where(r => r.Confusion is not null))
        {
            md.AppendLine($"### Confusion matrix: {r.Encoder}, {r.Experiment} task {r.Task}").AppendLine();
            md.AppendLine("Rows: true class; columns: predicted class.").AppendLine();
            md.Append("| true \\ predicted |");
            foreach (var c in r.Classes) md.Append($" {c} |");
            md.AppendLine();
            md.Append("|---|");
            foreach (var _ in r.Classes) md.Append("---:|");
            md.AppendLine();
            for (var i = 0; i < r.Classes.Count; i++)
            {
                md.Append($"| {r.Classes[i]} |");
                foreach (var v in r.Confusion![i]) md.Append($" {v} |");
                md.AppendLine();
            }
            md.AppendLine();
        }
    }

    /// <summary>Seed, settings, per-probe details, software and machine.</summary>
    private static void Provenance(StringBuilder md, Summary summary, IReadOnlyList<SummaryRecord> probes)
    {
        md.AppendLine("## How these numbers were made").AppendLine();
        md.AppendLine($"- Seed: {summary.Seed}");
        md.AppendLine($"- Created: {summary.CreatedUtc:u}");
        // The resume settings repeat the settings above, one per line: summary.json keeps them for --skip-existing.
        foreach (var (k, v) in summary.Settings.Where(kv => kv.Key is not (DeparturesKey or SettingNames.ResumeSettings))) md.AppendLine($"- {k}: {v}");
        foreach (var r in probes.Where(r => r.Metric == MetricNames.Top1 && r.Details is not null))
            md.AppendLine($"- {r.Encoder} / {r.Task}: {string.Join(", ", r.Details!.Select(kv => $"{kv.Key} {kv.Value}"))}");
        md.AppendLine($"- Software: {string.Join(", ", summary.Versions.Select(kv => $"{kv.Key} {kv.Value}"))}");
        if (summary.Manifest is { } m)
        {
            md.AppendLine($"- Built from commit {m.GitCommit ?? "unknown (not built in a git checkout)"}; registry SHA-256 {m.RegistrySha256 ?? "–"}");
            if (m.Dataset is { } d) md.AppendLine($"- Dataset: {d.Layout}, {d.Files:N0} files, SHA-256 of names and sizes {d.Sha256}");
            if (m.Embeddings is { } e) md.AppendLine($"- Embeddings file: {Path.GetFileName(e.Path)}, {e.Bytes:N0} bytes, SHA-256 of its header {e.HeaderSha256}");
        }
        md.AppendLine($"- Machine: {string.Join(", ", summary.Machine.Select(kv => $"{kv.Key} {kv.Value}"))}");
        md.AppendLine();
    }

    /// <summary>Inputs the run could not read, with the reason.</summary>
    private static void Skipped(StringBuilder md, Summary summary)
    {
        md.AppendLine("## Skipped inputs").AppendLine();
        if (summary.Skipped.Count == 0) md.AppendLine("None.");
        foreach (var s in summary.Skipped) md.AppendLine($"- `{s.Path}`: {s.Reason}");
    }

    private static string Pct(SummaryRecord? r) => ResultText.Value(r);

    private static string Pct(double? v) => ResultText.Percent(v);

    private static string Count(int? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "–";
}
