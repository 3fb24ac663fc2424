using System.Globalization;
using TraceProbe.Results;

namespace TraceProbe.Reports;

/// <summary>How a record's value, interval and standing against chance read in tables.</summary>
public static class ResultText
{
    /// <summary>"25.3% [22.1, 28.6]" (the 95% interval in points), "58.0 ± 1.0%" with a std over seeds, else "25.3%".</summary>
    public static string Value(SummaryRecord? r)
    {
        if (r is null) return "–";
        var text = r.Std is { } std ? $"{P(r.Value)} ± {P(std)}%" : P(r.Value) + "%";
        return r.Ci95 is [var low, var high] ? $"{text} [{P(low)}, {P(high)}]" : text;
    }

    /// <summary>Whether the 95% interval lies above chance; null when the record has no interval or no chance level.</summary>
    public static bool? AboveChance(SummaryRecord? r) =>
        r?.Ci95 is [var low, _] && r.Chance is { } chance ? low > chance : null;

    /// <summary>"above chance", "not above chance" (the interval reaches chance), or "–".</summary>
    public static string Verdict(SummaryRecord? r) => AboveChance(r) switch
    {
        true => "above chance",
        false => "**not above chance**",
        null => "–",
    };

    public static string Percent(double? v) => v is null ? "–" : P(v.Value) + "%";

    private static string P(double v) => (100 * v).ToString("0.0", CultureInfo.InvariantCulture);
}
