using System.Text.Json;
using System.Text.Json.Serialization;

namespace TraceProbe.Benchmarks.Gate;

/// <summary>
/// The committed figures the gate compares a run with (benchmarks/gate-baseline.json): each ratio's baseline
/// (ours against a peer measured in the same run, higher is better), each deterministic accuracy, and the margin
/// that sets a ratio's floor, with a note saying where the margin comes from.
/// </summary>
public sealed record GateBaseline
{
    /// <summary>Used when a baseline is first written; afterwards the file's own margin and note are kept.</summary>
    public const double DefaultMargin = 0.4;
    public const string DefaultNote =
        "floor = baseline ratio × (1 − margin). Each ratio is the median over rounds that time ours and its peer one after the other, in one process. " +
        "The margin covers the drop seen over repeated runs on a shared 2-core machine while other builds ran; a ratio below its floor is measured once more before it fails.";

    /// <summary>A ratio fails below baseline × (1 − margin).</summary>
    public required double Margin { get; init; }
    public string? Note { get; init; }
    /// <summary>Each ratio's median over the runs that measured the baseline.</summary>
    public required Dictionary<string, double> Ratios { get; init; }
    /// <summary>Each ratio in each of those runs: the spread the margin has to cover.</summary>
    public Dictionary<string, double[]>? Runs { get; init; }
    /// <summary>Deterministic results (probe test top-1), compared to three decimals, as reported.</summary>
    public required Dictionary<string, double> Accuracies { get; init; }
    public string? Measured { get; init; }

    public double Floor(double ratio) => ratio * (1 - Margin);

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep "÷" and "×" readable
    };

    /// <summary>Reads a baseline; a missing or malformed file is an error that names it and says how to make one.</summary>
    public static GateBaseline Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"benchmark gate baseline {path} not found; measure one with --gate REPORT.md --write-baseline.", path);
        GateBaseline? baseline;
        try
        {
            baseline = JsonSerializer.Deserialize<GateBaseline>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"benchmark gate baseline {path} is not valid: {e.Message}", e);
        }
        if (baseline is null) throw new InvalidDataException($"benchmark gate baseline {path} is empty.");
        if (baseline.Margin is not (> 0 and < 1))
            throw new InvalidDataException($"benchmark gate baseline {path}: margin {baseline.Margin} must lie between 0 and 1.");
        return baseline;
    }

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");
}
