namespace TraceProbe.Common;

/// <summary>Lists of names as users give them.</summary>
public static class Names
{
    /// <summary>Accepts both `--x a b` and `--x a,b`; duplicates (any case) kept once.</summary>
    public static List<string> Split(IReadOnlyList<string> values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
}
