using System.Text.Json;
using System.Text.Json.Serialization;

namespace TraceProbe.Benchmarks.Gate;

/// <summary>
/// The committed figures the gate compares a run with (benchmarks/gate-baseline.json): each ratio's baseline
/// (ours against a peer measured in the same run, higher is better) and each deterministic accuracy.
/// </summary>
public sealed record GateBaseline
{
    /// <summary>A ratio fails below baseline × (1 − margin): wide enough for a shared machine's noise, narrow enough
    /// that a kernel made twice as slow fails.</summary>
    public required double Margin { get; init; }
    public required Dictionary<string, double> Ratios { get; init; }
    /// <summary>Deterministic results (probe test top-1), compared to three decimals, as reported.</summary>
    public required Dictionary<string, double> Accuracies { get; init; }
    public string? Measured { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static GateBaseline Read(string path) =>
        JsonSerializer.Deserialize<GateBaseline>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty baseline.");

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");
}
