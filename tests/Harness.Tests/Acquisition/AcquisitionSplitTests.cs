using TraceProbe.Acquisition;
using TraceProbe.Images;

namespace TraceProbe.Tests.Acquisition;

public sealed class AcquisitionSplitTests
{
    private static (IReadOnlyList<Photo> Photos, IReadOnlyList<ExifLabels?> Labels) Collection()
    {
        // 30 Canon, 20 Nikon, 12 Sony, 2 Leica, 6 unknown.
        var makes = Enumerable.Repeat("Canon", 30).Concat(Enumerable.Repeat("Nikon", 20)).Concat(Enumerable.Repeat("Sony", 12))
            .Concat(Enumerable.Repeat("Leica", 2)).Concat(Enumerable.Repeat<string?>(null, 6)).ToList();
        var photos = makes.Select((_, i) => new Photo($"p{i:000}.jpg", $"p{i:000}.jpg")).ToList();
        var labels = makes.Select((m, i) => (ExifLabels?)new ExifLabels { Path = photos[i].Path, Make = m }).ToList();
        return (photos, labels);
    }

    [Fact]
    public void Keeps_the_frequent_classes_with_equal_counts_split_by_photo()
    {
        var (photos, labels) = Collection();
        var data = AcquisitionSplit.Build(photos, labels, "make", new AcquisitionSplitOptions { MinPerClass = 5 }, seed: 1)!;
        Assert.Equal(["Canon", "Nikon", "Sony"], data.Classes);
        Assert.Equal(12, data.PerClass);
        Assert.All(data.Items.GroupBy(i => i.Label), g => Assert.Equal(12, g.Count()));
        Assert.Equal(data.Items.Count, data.Items.Select(i => i.Photo).Distinct().Count());
        foreach (var g in data.Items.GroupBy(i => i.Label))
            Assert.Equal(new[] { "test", "train", "val" }, g.Select(i => i.Split).Distinct().Order());
        Assert.All(data.Items, i => Assert.Equal(data.Classes[i.Label], labels[i.Photo]!.Make));
    }

    [Fact]
    public void Top_k_limits_the_classes_and_the_seed_alone_decides_the_draw()
    {
        var (photos, labels) = Collection();
        var two = AcquisitionSplit.Build(photos, labels, "make", new AcquisitionSplitOptions { TopK = 2 }, seed: 1)!;
        Assert.Equal(["Canon", "Nikon"], two.Classes);
        var again = AcquisitionSplit.Build(photos, labels, "make", new AcquisitionSplitOptions { TopK = 2 }, seed: 1)!;
        var other = AcquisitionSplit.Build(photos, labels, "make", new AcquisitionSplitOptions { TopK = 2 }, seed: 2)!;
        Assert.Equal(two.Items, again.Items);
        Assert.NotEqual(two.Items, other.Items);
    }

    [Fact]
    public void Fewer_than_two_classes_give_no_task()
    {
        var (photos, labels) = Collection();
        Assert.Null(AcquisitionSplit.Build(photos, labels, "make", new AcquisitionSplitOptions { MinPerClass = 25 }, seed: 1));
        Assert.Null(AcquisitionSplit.Build(photos, labels, "iso", new AcquisitionSplitOptions(), seed: 1));
    }
}
