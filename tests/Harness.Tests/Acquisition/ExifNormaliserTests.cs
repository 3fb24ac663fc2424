using TraceProbe.Acquisition;

namespace TraceProbe.Tests.Acquisition;

public sealed class ExifNormaliserTests
{
    [Theory]
    [InlineData("NIKON CORPORATION", "Nikon")]
    [InlineData("  Canon\0\0", "Canon")]
    [InlineData("OLYMPUS IMAGING CORP.  ", "Olympus")]
    [InlineData("OLYMPUS CORPORATION", "Olympus")]
    [InlineData("SONY", "Sony")]
    [InlineData("samsung", "Samsung")]
    [InlineData("KONICA MINOLTA", "Konica Minolta")]
    [InlineData("FUJIFILM", "Fujifilm")]
    [InlineData("Apple", "Apple")]
    [InlineData("ACME OPTICAL", "Acme Optical")]
    [InlineData("", null)]
    [InlineData("   ", null)]
    [InlineData(null, null)]
    public void Makes_have_one_spelling(string? raw, string? expected) => Assert.Equal(expected, ExifNormaliser.Make(raw));

    [Theory]
    [InlineData("Canon EOS 70D", "Canon", "EOS 70D")]
    [InlineData("NIKON D750", "Nikon", "D750")]
    [InlineData("E-M1", "Olympus", "E-M1")]
    [InlineData("iPhone 12 Pro", "Apple", "iPhone 12 Pro")]
    public void Models_lose_a_repeated_make(string raw, string make, string expected) => Assert.Equal(expected, ExifNormaliser.Model(raw, make));

    [Theory]
    [InlineData("Apple", "iPhone 12 Pro", true)]
    [InlineData("Google", "Pixel 7", true)]
    [InlineData("Samsung", "SM-G991B", true)]
    [InlineData("Samsung", "NX300", false)]
    [InlineData("Nokia", "N9", true)]
    [InlineData("Sony", "NEX-3N", false)]
    [InlineData("Sony", "E6653", true)]
    [InlineData("Canon", "EOS 70D", false)]
    public void Smartphones_are_recognised(string make, string model, bool expected) =>
        Assert.Equal(expected, ExifNormaliser.IsSmartphone(make, model));

    [Theory]
    [InlineData(0.004, "1/250 s")]
    [InlineData(1.0 / 3, "1/3 s")]
    [InlineData(0.8, "0.8 s")]
    [InlineData(8.0, "8 s")]
    [InlineData(0.0, null)]
    [InlineData(-1.0, null)]
    [InlineData(double.NaN, null)]
    public void Exposure_is_written_as_photographers_do(double seconds, string? expected) => Assert.Equal(expected, ExifNormaliser.Exposure(seconds));

    [Fact]
    public void Absurd_values_become_unknown()
    {
        Assert.Null(ExifNormaliser.Aperture(0));
        Assert.Equal("f/2.8", ExifNormaliser.Aperture(2.8));
        Assert.Null(ExifNormaliser.FocalLength(-35));
        Assert.Equal("35 mm", ExifNormaliser.FocalLength(35.2));
        Assert.Null(ExifNormaliser.Iso(0));
        Assert.Null(ExifNormaliser.Iso(5_000_000));
        Assert.Equal(800, ExifNormaliser.Iso(800));
        Assert.Null(ExifNormaliser.Flash(-1));
        Assert.True(ExifNormaliser.Flash(0x19));
        Assert.False(ExifNormaliser.Flash(0x10));
        Assert.Null(ExifNormaliser.Year(new DateTime(1970, 1, 1)));
    }
}
