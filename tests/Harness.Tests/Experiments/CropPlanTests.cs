using TraceProbe.Experiments;
using TraceProbe.Images;

namespace TraceProbe.Tests.Experiments;

public sealed class CropPlanTests
{
    private static readonly IReadOnlyList<Photo> Photos =
        Enumerable.Range(0, 12).Select(i => new Photo($"photo-{i:00}.jpg", $"photo-{i:00}.jpg")).ToList();

    [Fact]
    public void No_photo_is_on_both_sides_of_the_split()
    {
        var items = CropPlan.Build(Photos, 6, new CropPlanOptions(), seed: 7);
        var trainPhotos = items.Where(i => !i.IsTest).Select(i => i.Photo).ToHashSet();
        var testPhotos = items.Where(i => i.IsTest).Select(i => i.Photo).ToHashSet();
        Assert.Empty(trainPhotos.Intersect(testPhotos));
        Assert.Equal(Photos.Count, trainPhotos.Count + testPhotos.Count);
        Assert.Equal(4, testPhotos.Count);
    }

    [Fact]
    public void Test_crops_appear_under_every_class_and_training_crops_under_one()
    {
        var options = new CropPlanOptions { TrainCropsPerPhoto = 30, TestCropsPerPhoto = 5 };
        var items = CropPlan.Build(Photos, 6, options, seed: 1);
        foreach (var crop in items.Where(i => i.IsTest).GroupBy(i => (i.Photo, i.Crop)))
            Assert.Equal(Enumerable.Range(0, 6), crop.Select(i => i.Label).Order());
        foreach (var crop in items.Where(i => !i.IsTest).GroupBy(i => (i.Photo, i.Crop)))
            Assert.Single(crop);
        // Training classes are drawn uniformly: every class is used, none dominates.
        var counts = items.Where(i => !i.IsTest).GroupBy(i => i.Label).Select(g => g.Count()).ToList();
        Assert.Equal(6, counts.Count);
        Assert.True(counts.Max() < 3 * counts.Min(), string.Join(",", counts));
    }

    [Fact]
    public void The_plan_depends_on_the_seed_only()
    {
        var a = CropPlan.Build(Photos, 6, new CropPlanOptions(), seed: 3);
        var b = CropPlan.Build(Photos, 6, new CropPlanOptions(), seed: 3);
        var c = CropPlan.Build(Photos, 6, new CropPlanOptions(), seed: 4);
        Assert.Equal(a, b);
        Assert.NotEqual(a.Select(i => i.Region), c.Select(i => i.Region));
    }

    [Fact]
    public void Crops_stay_inside_the_photo()
    {
        foreach (var item in CropPlan.Build(Photos, 6, new CropPlanOptions(), seed: 5))
        {
            var r = item.Region.On(577, 384);
            Assert.InRange(r.Left, 0, 577 - r.Width);
            Assert.InRange(r.Top, 0, 384 - r.Height);
            Assert.True(r.Width >= 224, $"crop side {r.Width} is below the encoder's input size");
        }
    }
}
