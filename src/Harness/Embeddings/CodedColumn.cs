using System.Collections;

namespace TraceProbe.Embeddings;

/// <summary>
/// A per-item column of strings from a small vocabulary (processing ids, splits, semantic classes, photos), kept as one
/// code per item: what an embeddings file stores, and a few bytes per item in memory whatever the number of items.
/// Code −1 is an item without a value.
/// </summary>
public sealed class CodedColumn
{
    public CodedColumn(IReadOnlyList<string> names, int[] codes)
    {
        Names = names;
        Codes = codes;
    }

    public IReadOnlyList<string> Names { get; }
    public int[] Codes { get; }
    public int Count => Codes.Length;

    /// <summary>Item <paramref name="row"/>'s value, or null for code −1.</summary>
    public string? this[int row] => Codes[row] < 0 ? null : Names[Codes[row]];

    /// <summary>The values as a list that every item has (a missing value is an error naming the row).</summary>
    public IReadOnlyList<string> Values => new RequiredView(this);

    /// <summary>The values as a list with nulls for missing ones.</summary>
    public IReadOnlyList<string?> Optional => new OptionalView(this);

    /// <summary>Codes in order of first appearance; null values get −1.</summary>
    public static CodedColumn Encode(IEnumerable<string?> values)
    {
        var names = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var codes = new List<int>();
        foreach (var v in values)
        {
            if (v is null) { codes.Add(-1); continue; }
            if (!index.TryGetValue(v, out var code)) { index[v] = code = names.Count; names.Add(v); }
            codes.Add(code);
        }
        return new CodedColumn(names, codes.ToArray());
    }

    /// <summary>Checks that every code names a value of the vocabulary (or is −1 where <paramref name="optional"/>).</summary>
    public CodedColumn Validated(string source, string column, bool optional)
    {
        for (var i = 0; i < Codes.Length; i++)
            if (Codes[i] >= Names.Count || Codes[i] < (optional ? -1 : 0))
                throw new InvalidDataException($"{source}: '{column}' of item {i} is {Codes[i]}, outside its {Names.Count} names.");
        return this;
    }

    private sealed class RequiredView(CodedColumn column) : IReadOnlyList<string>
    {
        public string this[int index] => column[index] ?? throw new InvalidDataException($"item {index} has no value.");
        public int Count => column.Count;
        public IEnumerator<string> GetEnumerator() { for (var i = 0; i < Count; i++) yield return this[i]; }
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class OptionalView(CodedColumn column) : IReadOnlyList<string?>
    {
        public string? this[int index] => column[index];
        public int Count => column.Count;
        public IEnumerator<string?> GetEnumerator() { for (var i = 0; i < Count; i++) yield return this[i]; }
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
