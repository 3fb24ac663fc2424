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
public sealed record AcquisitionTaskData(string Attribute, IReadOnlyList<string> Classes, IReadOnlyList<AcquisitionItem> Items, int PerClass);

/// <summary>
/// The paper's acquisition splits: the most frequent classes of an attribute, equal photo counts per class
/// (seeded downsampling), then each class's photos split into train / val / test. Choices are made per photo
/// key, so they do not depend on the order of the files.
/// </summary>
public static class AcquisitionSplit
{
    public static AcquisitionTaskData? Build(IReadOnlyList<Photo> photos, IReadOnlyList<ExifLabels?> labels, string attribute,
        AcquisitionSplitOptions options, ulong seed, IReadOnlyDictionary<string, string>? given = null,
        IReadOnlyDictionary<string, string>? givenClasses = null)
    {
        if (given is not null) return FromGiven(photos, labels, attribute, options, given, givenClasses);
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
    /// A published split (photo key → train/val/test): its photos, with its own class names where it gives them
    /// (so that results compare with the paper's), else ours; the top classes.
    /// </summary>
    private static AcquisitionTaskData? FromGiven(IReadOnlyList<Photo> photos, IReadOnlyList<ExifLabels?> labels, string attribute,
        AcquisitionSplitOptions options, IReadOnlyDictionary<string, string> given, IReadOnlyDictionary<string, string>? givenClasses)
    {
        string? ClassOf(int i) => givenClasses is not null
            ? givenClasses.GetValueOrDefault(photos[i].Key)
            : labels[i]?.Attribute(attribute);
        var labelled = Enumerable.Range(0, photos.Count)
            .Where(i => given.ContainsKey(photos[i].Key) && ClassOf(i) is not null)
            .Select(i => (Photo: i, Class: ClassOf(i)!)).ToList();
        var classes = labelled.GroupBy(x => x.Class, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(options.TopK)
            .Select(g => g.Key).Order(StringComparer.Ordinal).ToList();
        if (classes.Count < 2) return null;
        var items = labelled.Where(x => classes.Contains(x.Class))
            .Select(x => new AcquisitionItem(x.Photo, classes.IndexOf(x.Class), given[photos[x.Photo].Key])).ToList();
        return new AcquisitionTaskData(attribute, classes, items, items.GroupBy(i => i.Label).Min(g => g.Count()));
    }
}
