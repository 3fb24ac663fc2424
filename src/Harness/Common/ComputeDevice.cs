namespace TraceProbe.Common;

/// <summary>Where ONNX Runtime and the kNN passes run: the CPU, or a CUDA GPU by number.</summary>
public readonly record struct ComputeDevice(bool IsCuda, int Id)
{
    public static ComputeDevice Cpu => new(false, 0);

    /// <summary>
    /// Reads "cpu", "cuda" or "cuda:N" (any case); anything else is a <see cref="SettingsException"/> naming
    /// <paramref name="setting"/>, so that every front end and every stage refuses a device the same way.
    /// </summary>
    public static ComputeDevice Parse(string? text, string setting = "--device")
    {
        var value = (text ?? "").Trim();
        if (value.Equals("cpu", StringComparison.OrdinalIgnoreCase)) return Cpu;
        if (value.Equals("cuda", StringComparison.OrdinalIgnoreCase)) return new(true, 0);
        if (value.StartsWith("cuda:", StringComparison.OrdinalIgnoreCase))
        {
            if (int.TryParse(value.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
                return new(true, id);
            throw new SettingsException($"{setting} {text}: expected cuda:N with a GPU number N (0, 1, …).");
        }
        throw new SettingsException($"{setting} '{text}': expected 'cpu' or 'cuda[:N]'.");
    }

    public override string ToString() => IsCuda ? $"cuda:{Id}" : "cpu";
}
