using System.Globalization;
using System.Text;
using TraceProbe.Results;

namespace TraceProbe.Reports;

/// <summary>summary.csv: one row per record, for spreadsheets and data frames.</summary>
public static class SummaryCsv
{
    public static readonly string[] Columns =
        ["encoder", "family", "experiment", "task", "setup", "metric", "value", "std", "chance", "n_train", "n_test", "classes",
         "ci95_low", "ci95_high", "n_test_photos"];

    public static string Render(Summary summary)
    {
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(",", Columns));
        foreach (var r in summary.Records)
        {
            string[] cells =
            [
                r.Encoder, r.Family, r.Experiment, r.Task, r.Setup, r.Metric, Number(r.Value), Number(r.Std), Number(r.Chance),
                r.NTrain.ToString(CultureInfo.InvariantCulture), r.NTest.ToString(CultureInfo.InvariantCulture), string.Join(";", r.Classes),
                Number(r.Ci95?[0]), Number(r.Ci95?[1]), r.NTestPhotos?.ToString(CultureInfo.InvariantCulture) ?? "",
            ];
            csv.AppendLine(string.Join(",", cells.Select(Quote)));
        }
        return csv.ToString();
    }

    private static string Number(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";

    /// <summary>RFC 4180 quoting where a cell holds a comma, quote or line break.</summary>
    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) < 0 ? cell : "\"" + cell.Replace("\"", "\"\"") + "\"";
}
