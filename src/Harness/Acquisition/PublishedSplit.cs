namespace TraceProbe.Acquisition;

/// <summary>One listed id of a published split: its side (train / val / test) and its encoded class.</summary>
public sealed record PublishedSplitEntry(string Id, string Side, int Label);

/// <summary>
/// A published acquisition split, as the paper's reference code reads it: every listed id with its side and its
/// encoded class, and the class names in encoder order. Used as published: all classes, and ids listed on two
/// sides (the published Model split has 36 ids in train and test, 9 in val and test) stay on both, as the
/// reference keeps them; <see cref="Overlaps"/> counts them for the report.
/// </summary>
public sealed record PublishedSplit(string Attribute, string Source, IReadOnlyList<string> Classes, IReadOnlyList<PublishedSplitEntry> Entries)
{
    public static readonly string[] Sides = ["train", "val", "test"];

    /// <summary>Ids listed on two sides, by pair of sides ("train &amp; test" → 36), in side order.</summary>
    public IReadOnlyList<(string Sides, int Ids)> Overlaps
    {
        get
        {
            var sidesOf = Entries.GroupBy(e => e.Id, StringComparer.Ordinal)
                .Select(g => g.Select(e => e.Side).Distinct().OrderBy(s => Array.IndexOf(Sides, s)).ToArray())
                .Where(s => s.Length > 1);
            return sidesOf.GroupBy(s => string.Join(" & ", s)).Select(g => (g.Key, g.Count()))
                .OrderBy(x => x.Key, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>"36 ids in train &amp; test, 9 in val &amp; test", or null when no id is on two sides.</summary>
    public string? OverlapText() => Overlaps.Count == 0 ? null
        : string.Join(", ", Overlaps.Select((o, i) => i == 0 ? $"{o.Ids} id{(o.Ids == 1 ? "" : "s")} in {o.Sides}" : $"{o.Ids} in {o.Sides}"));
}
