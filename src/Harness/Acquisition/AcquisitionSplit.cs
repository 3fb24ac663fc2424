using TraceProbe.Common;
using TraceProbe.Images;

namespace TraceProbe.Acquisition;

public sealed record AcquisitionSplitOptions
{
    /// <summary>Keep at most this many of the most frequent classes.</summary>
    public int TopK { get; init; } = 10;
    /// <summary>Classes with fewer photos are dropped (and so is the task, when fewer than two remain).</summary>
    public int MinPerClass { get; init; } = 3;
    public double ValidationFraction { get; init; } = 0.2;
    public double TestFraction { get; init; } = 0.3;
}

/// <summary>One labelled photo of an acquisition task and the side of the split it is on.</summary>
public sealed record AcquisitionItem(int Photo, int Label, string Split);

/// <summary>A balanced acquisition task: its classes and its items, split by photo.</summary>
public sealed record AcquisitionTaskData(string Attribute, IReadOnlyList<string> Classes, IReadOnlyList<AcquisitionItem> Items, int PerClass)
{
    /// <summary>The published split it was read from, when it was.</summary>
    public PublishedSplit? Published { get; init; }
    /// <summary>Ids the published split lists whose photo is not in the collection, in listed order (each once).</summary>
    public IReadOnlyList<string> MissingIds { get; init; } = [];
    /// <summary>Photos that are on two sides, as the published split lists them.</summary>
    public int OverlappingPhotos { get; init; }
}

/// <summary>
/// The paper's acquisition splits: the most frequent classes of an attribute, equal photo counts per class
/// (seeded downsampling), then each class's photos split into train / val / test. Choices are made per photo
/// key, so they do not depend on the order of the files.
/// </summary>
public static class AcquisitionSplit
{
    public static AcquisitionTaskData? Build(IReadOnlyList<Photo> photos, IReadOnlyList<ExifLabels?> labels, string attribute,
        AcquisitionSplitOptions options, ulong seed, PublishedSplit? given = null)
    {
        if (given is not null) return FromPublished(photos, given);
        var byClass = Enumerable.Range(0, photos.Count)
            .Select(i => (Photo: i, Class: labels[i]?.Attribute(attribute)))
            .Where(x => x.Class is not null)
            .GroupBy(x => x.Class!, StringComparer.Ordinal)
            .Where(g => g.Count() >= options.MinPerClass)
            // Most frequent first; ties by name so that the choice is stable.
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(options.TopK)
            .ToList();
        if (byClass.Count < 2) return null;
        var perClass = byClass.Min(g => g.Count());
        var classes = byClass.Select(g => g.Key).Order(StringComparer.Ordinal).ToList();

        var items = new List<AcquisitionItem>();
        foreach (var g in byClass)
        {
            var chosen = g.OrderBy(x => Seeds.Derive(seed, $"{attribute}:{photos[x.Photo].Key}")).Take(perClass).ToList();
            var test = Math.Max(1, (int)Math.Round(perClass * options.TestFraction));
            var val = Math.Max(1, (int)Math.Round(perClass * options.ValidationFraction));
            if (test + val >= perClass) (test, val) = (1, perClass > 2 ? 1 : 0);
            for (var i = 0; i < chosen.Count; i++)
            {
                var split = i < test ? "test" : i < test + val ? "val" : "train";
                items.Add(new AcquisitionItem(chosen[i].Photo, classes.IndexOf(g.Key), split));
            }
        }
        return new AcquisitionTaskData(attribute, classes, items.OrderBy(i => i.Photo).ToList(), perClass);
    }

    /// <summary>
    /// A published split used as published: its listed ids that are present, each on the side (or sides) it is
    /// listed on with its published class; all its classes in its encoder's order, so that class indices and
    /// names are the reference's. Null when no listed photo is present.
    /// </summary>
    public static AcquisitionTaskData? FromPublished(IReadOnlyList<Photo> photos, PublishedSplit split)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < photos.Count; i++) index.TryAdd(photos[i].Key, i);
        var items = new List<AcquisitionItem>();
        var missing = new List<string>();
        var seenMissing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in split.Entries)
        {
            if (index.TryGetValue(e.Id, out var photo)) items.Add(new AcquisitionItem(photo, e.Label, e.Side));
            else if (seenMissing.Add(e.Id)) missing.Add(e.Id);
        }
        if (items.Count == 0) return null;
        var overlapping = items.GroupBy(i => i.Photo).Count(g => g.Select(i => i.Split).Distinct().Count() > 1);
        var present = items.GroupBy(i => i.Label).Select(g => g.Count()).ToList();
        return new AcquisitionTaskData(split.Attribute, split.Classes, items, present.Min())
        {
            Published = split,
            MissingIds = missing,
            OverlappingPhotos = overlapping,
        };
    }
}
