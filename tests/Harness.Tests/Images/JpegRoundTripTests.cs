using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TraceProbe.Images;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Images;

/// <summary>
/// The round trip without a file (<see cref="JpegRoundTrip"/>) against libjpeg-turbo's own encode-then-decode
/// (<see cref="JpegCodec.RoundTripThroughFile"/>): pixel for pixel on every bundled photo, on sizes that end inside a
/// block or an MCU, and on content that drives the DCT to its extremes.
/// </summary>
public sealed class JpegRoundTripTests
{
    public static TheoryData<string> BundledPhotos()
    {
        var data = new TheoryData<string>();
        foreach (var photo in TestData.Photos) data.Add(photo.Key);
        return data;
    }

    private static void AssertSamePixels(Image<Rgb24> image, int quality, ChromaSubsampling subsampling, string what)
    {
        using var expected = JpegCodec.RoundTripThroughFile(image, quality, subsampling);
        using var actual = JpegRoundTrip.Apply(image, quality, subsampling);
        PixelAssert.Same(expected, actual, $"{what} JPEG{quality}_{(subsampling == ChromaSubsampling.Ratio420 ? 420 : 444)}", "libjpeg-turbo");
    }

    [Theory]
    [MemberData(nameof(BundledPhotos))]
    public void Every_bundled_photo_gets_libjpeg_turbos_pixels(string key)
    {
        using var photo = JpegCodec.Decode(File.ReadAllBytes(TestData.Photos.Single(p => p.Key == key).Path));
        foreach (var quality in new[] { 75, 85, 95 })
        foreach (var subsampling in new[] { ChromaSubsampling.Ratio420, ChromaSubsampling.Ratio444 })
            AssertSamePixels(photo, quality, subsampling, key);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 9)]
    [InlineData(2, 2)]
    [InlineData(3, 5)]
    [InlineData(4, 3)]
    [InlineData(5, 4)]
    [InlineData(6, 17)]
    [InlineData(7, 13)]
    [InlineData(15, 17)]
    [InlineData(16, 16)]
    [InlineData(17, 33)]
    [InlineData(31, 9)]
    [InlineData(100, 1)]
    [InlineData(333, 251)]
    public void Sizes_that_end_inside_a_block_get_libjpeg_turbos_pixels(int width, int height)
    {
        using var photo = JpegCodec.Decode(File.ReadAllBytes(TestData.Photos[0].Path));
        using var crop = photo.Clone(c => c.Crop(new Rectangle(photo.Width / 3, photo.Height / 4, width, height)));
        foreach (var quality in new[] { 1, 10, 24, 25, 50, 75, 95, 100 })
        foreach (var subsampling in new[] { ChromaSubsampling.Ratio420, ChromaSubsampling.Ratio444 })
            AssertSamePixels(crop, quality, subsampling, $"{width}×{height} crop");
    }

    [Theory]
    [InlineData("noise")]
    [InlineData("checkerboard")]
    [InlineData("stripes")]
    [InlineData("saturated")]
    public void Extreme_content_gets_libjpeg_turbos_pixels(string pattern)
    {
        const int w = 67, h = 45;
        var random = new Random(7);
        using var image = new Image<Rgb24>(w, h);
        for (var y = 0; y < h; y++)
        for (var x = 0; x < w; x++)
        {
            image[x, y] = pattern switch
            {
                "noise" => new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)),
                "checkerboard" => ((x + y) & 1) == 0 ? new Rgb24(255, 255, 255) : new Rgb24(0, 0, 0),
                "stripes" => (x & 1) == 0 ? new Rgb24(255, 0, 255) : new Rgb24(0, 255, 0),
                _ => ((x / 3 + y / 2) & 1) == 0 ? new Rgb24(255, 0, 0) : new Rgb24(0, 0, 255),
            };
        }
        foreach (var quality in new[] { 1, 5, 30, 75, 90, 95, 100 })
        foreach (var subsampling in new[] { ChromaSubsampling.Ratio420, ChromaSubsampling.Ratio444 })
            AssertSamePixels(image, quality, subsampling, pattern);
    }

    [Fact]
    public void An_image_wider_than_a_JPEG_can_hold_is_refused_as_libjpeg_turbo_refuses_it()
    {
        using var wide = new Image<Rgb24>(JpegRoundTrip.MaxSide + 1, 1);
        Assert.Throws<InvalidOperationException>(() => JpegCodec.RoundTripThroughFile(wide, 95, ChromaSubsampling.Ratio444).Dispose());
        var e = Assert.Throws<InvalidOperationException>(() => JpegRoundTrip.Apply(wide, 95, ChromaSubsampling.Ratio444).Dispose());
        Assert.Contains("65501×1", e.Message);
        using var widest = new Image<Rgb24>(JpegRoundTrip.MaxSide, 2);
        AssertSamePixels(widest, 75, ChromaSubsampling.Ratio420, "widest");
    }
}
