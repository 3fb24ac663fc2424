using TraceProbe.Common;
using TraceProbe.Images;

namespace TraceProbe.Experiments;

/// <summary>
/// A square crop in coordinates relative to its photo (side as a fraction of the shorter side, position as a
/// fraction of the free room), so that the plan is made before any photo is decoded.
/// </summary>
public readonly record struct RelativeCrop(double Side, double Left, double Top)
{
    public SixLabors.ImageSharp.Rectangle On(int width, int height)
    {
        var side = Math.Max(1, (int)(Side * Math.Min(width, height)));
        return new((int)(Left * (width - side)), (int)(Top * (height - side)), side, side);
    }
}

/// <summary>One embedding to make: a crop of a photo under one class of the task.</summary>
public sealed record TraceItem(int Index, int Photo, int Crop, RelativeCrop Region, int Label, bool IsTest);

public sealed record CropPlanOptions
{
    /// <summary>
    /// Training photos give this many crops, each under one class drawn uniformly. With the test crops, chosen so
    /// that the default run (94 bundled photos, 4 processing tasks, ResNet-18) costs about 10 CPU-minutes: about
    /// 5 minutes on 2 cores.
    /// </summary>
    public int TrainCropsPerPhoto { get; init; } = 30;
    /// <summary>Held-out photos give this many crops, each under every class.</summary>
    public int TestCropsPerPhoto { get; init; } = 6;
    /// <summary>Fraction of photos held out for testing (split by photo: no photo on both sides).</summary>
    public double TestFraction { get; init; } = 1.0 / 3;
    /// <summary>Crop sides are drawn in [MinSide, MaxSide] times the photo's shorter side.</summary>
    public double MinSide { get; init; } = 0.59;
    public double MaxSide { get; init; } = 0.65;
}

/// <summary>The paper's processing-task protocol on a photo collection, made deterministic by the seed.</summary>
public static class CropPlan
{
    public static IReadOnlyList<TraceItem> Build(IReadOnlyList<Photo> photos, int classes, CropPlanOptions options, ulong seed)
    {
        if (photos.Count < 2) throw new ArgumentException("A split by photo needs at least 2 photos.", nameof(photos));
        var order = Enumerable.Range(0, photos.Count).ToArray();
        // Shuffle by key, not by index, so adding a photo does not reshuffle every other photo's side.
        Array.Sort(order, (a, b) => Seeds.Derive(seed, "split:" + photos[a].Key).CompareTo(Seeds.Derive(seed, "split:" + photos[b].Key)));
        var testCount = Math.Clamp((int)Math.Round(photos.Count * options.TestFraction), 1, photos.Count - 1);
        var isTest = new bool[photos.Count];
        foreach (var p in order.Take(testCount)) isTest[p] = true;

        var items = new List<TraceItem>();
        for (var p = 0; p < photos.Count; p++)
        {
            var crops = isTest[p] ? options.TestCropsPerPhoto : options.TrainCropsPerPhoto;
            for (var c = 0; c < crops; c++)
            {
                var rng = new SeededRandom(Seeds.Derive(seed, $"crop:{photos[p].Key}#{c}"));
                var region = new RelativeCrop(options.MinSide + rng.NextDouble() * (options.MaxSide - options.MinSide), rng.NextDouble(), rng.NextDouble());
                if (isTest[p])
                    for (var label = 0; label < classes; label++)
                        items.Add(new TraceItem(items.Count, p, c, region, label, true));
                else
                    items.Add(new TraceItem(items.Count, p, c, region, rng.Next(classes), false));
            }
        }
        return items;
    }
}
