
using Json.Schema;

namespace TraceProbe.Tests.Support;

/// <summary>docs/summary.schema.json, the published contract of summary.json.</summary>
public static class SummarySchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "summary.schema.json"))));

    public static EvaluationResults Evaluate(string json) =>
        Schema.Value.Evaluate(System.Text.Json.JsonDocument.Parse(json).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

    public static void AssertValid(string json)
    {
        var result = Evaluate(json);
        Assert.True(result.IsValid, "summary.json does not follow docs/summary.schema.json: " +
            string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null)
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }
}
