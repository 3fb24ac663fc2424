using TraceProbe.Acquisition;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Acquisition;

/// <summary>EXIF of the bundled photos (see data/photos/ATTRIBUTION.md for their cameras).</summary>
public sealed class ExifReaderTests
{
    private static ExifLabels Of(string name) => ExifReader.Read(TestData.Photos.Single(p => p.Key == name).Path);

    [Fact]
    public void Olympus_photos_come_out_as_make_Olympus()
    {
        var labels = TestData.Photos.Select(p => ExifReader.Read(p.Path)).ToList();
        Assert.Equal(5, labels.Count(l => l.Make == "Olympus" && l.Model == "E-M1"));
        Assert.Equal(27, labels.Count(l => l.Make is not null));
    }

    [Fact]
    public void A_phone_photo_is_a_smartphone_and_cameras_are_not()
    {
        var nokia = Of("landscape/plasma-lakeside-jetty.jpg");
        Assert.Equal(("Nokia", "N9", true), (nokia.Make, nokia.Model, nokia.IsSmartphone));
        var canon = Of("plant/plasma-fallen-maple-leaf.jpg");
        Assert.Equal(("Canon", "EOS 70D", false), (canon.Make, canon.Model, canon.IsSmartphone));
        Assert.Equal(("1/4000 s", "f/2.0", 100, "50 mm", false, 2015), (canon.Exposure, canon.Aperture, canon.Iso, canon.FocalLength, canon.Flash, canon.Year));
    }

    [Fact]
    public void A_photo_without_exif_is_all_unknown()
    {
        var none = Of("building/plasma-grey-facade-architecture.jpg");
        Assert.Equal(ExifLabels.Attributes.Select(_ => (string?)null), ExifLabels.Attributes.Select(none.Attribute));
    }

    [Fact]
    public void Unreadable_files_are_skipped_with_a_reason()
    {
        var folder = TestData.TempFolder("exif");
        var text = Path.Combine(folder, "notes.jpg");
        File.WriteAllText(text, "not an image");
        var (labels, skipped) = ExifReader.ReadAll([TestData.Photos[0].Path, text, Path.Combine(folder, "missing.jpg")]);
        Assert.Single(labels);
        Assert.Equal(2, skipped.Count);
        Assert.All(skipped, s => Assert.False(string.IsNullOrWhiteSpace(s.Reason)));
    }
}
