using BitMiracle.LibJpeg.Classic;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using TraceProbe.Images;

namespace TraceProbe.Tests.Images;

/// <summary>Small generated files of every kind a photo collection holds, plus broken ones.</summary>
public sealed class ImageLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("traceprobe-images").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string P(string name) => Path.Combine(_dir, name);

    private static Image<Rgb24> Pattern(int w = 8, int h = 6)
    {
        var im = new Image<Rgb24>(w, h);
        for (var y = 0; y < h; y++)
        for (var x = 0; x < w; x++)
            im[x, y] = new Rgb24((byte)(x * 30), (byte)(y * 40), (byte)(100 + x + y));
        return im;
    }

    private static void AssertSamePixels(Image<Rgb24> expected, Image<Rgb24> actual)
    {
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        for (var y = 0; y < expected.Height; y++)
        for (var x = 0; x < expected.Width; x++)
            Assert.Equal(expected[x, y], actual[x, y]);
    }

    /// <summary>Writes a JPEG with the IJG port: progressive, grayscale or CMYK, which ImageSharp cannot write.</summary>
    private static void WriteLibJpeg(string path, int components, J_COLOR_SPACE space, bool progressive)
    {
        using var file = File.Create(path);
        var c = new jpeg_compress_struct(new jpeg_error_mgr());
        c.jpeg_stdio_dest(file);
        c.Image_width = 16;
        c.Image_height = 8;
        c.Input_components = components;
        c.In_color_space = space;
        c.jpeg_set_defaults();
        c.jpeg_set_quality(90, true);
        if (progressive) c.jpeg_simple_progression();
        c.jpeg_start_compress(true);
        var row = new byte[16 * components];
        for (var i = 0; i < row.Length; i++) row[i] = (byte)(i * 7);
        for (var y = 0; y < 8; y++) c.jpeg_write_scanlines([row], 1);
        c.jpeg_finish_compress();
    }

    [Fact]
    public void Lossless_formats_decode_to_the_same_pixels_whatever_the_extension()
    {
        using var im = Pattern();
        im.SaveAsPng(P("a.PNG"));
        im.SaveAsBmp(P("b.BMP"));
        im.SaveAsTiff(P("c.TIFF"));
        im.SaveAsWebp(P("d.WEBP"), new WebpEncoder { FileFormat = WebpFileFormatType.Lossless });
        im.SaveAsPng(P("no_extension"));
        foreach (var name in new[] { "a.PNG", "b.BMP", "c.TIFF", "d.WEBP", "no_extension" })
        {
            using var loaded = ImageLoader.Load(P(name));
            AssertSamePixels(im, loaded);
        }
    }

    [Fact]
    public void Gif_and_palette_png_take_their_palette_colours()
    {
        using var im = new Image<Rgb24>(4, 2, new Rgb24(255, 0, 0));
        im[1, 1] = new Rgb24(0, 0, 255);
        im.SaveAsGif(P("x.GIF"));
        im.SaveAsPng(P("x.png"), new PngEncoder { ColorType = PngColorType.Palette });
        foreach (var name in new[] { "x.GIF", "x.png" })
        {
            using var loaded = ImageLoader.Load(P(name));
            AssertSamePixels(im, loaded);
        }
    }

    [Fact]
    public void Alpha_is_dropped_not_composited_and_16_bit_is_scaled()
    {
        using (var rgba = new Image<Rgba32>(2, 1))
        {
            rgba[0, 0] = new Rgba32(200, 10, 10, 0);
            rgba[1, 0] = new Rgba32(10, 200, 10, 128);
            rgba.SaveAsPng(P("alpha.png"));
        }
        using (var loaded = ImageLoader.Load(P("alpha.png")))
        {
            Assert.Equal(new Rgb24(200, 10, 10), loaded[0, 0]);
            Assert.Equal(new Rgb24(10, 200, 10), loaded[1, 0]);
        }
        using (var deep = new Image<Rgb48>(1, 1, new Rgb48(65535, 32896, 0)))
            deep.SaveAsPng(P("deep.png"), new PngEncoder { BitDepth = PngBitDepth.Bit16 });
        using var d = ImageLoader.Load(P("deep.png"));
        Assert.Equal(new Rgb24(255, 128, 0), d[0, 0]);
    }

    [Theory]
    [InlineData("baseline.JPG")]
    [InlineData("progressive.jpeg")]
    [InlineData("gray.jpg")]
    [InlineData("cmyk.jpg")]
    public void Jpeg_variants_decode(string name)
    {
        switch (name)
        {
            case "baseline.JPG":
                using (var im = Pattern(16, 8)) im.SaveAsJpeg(P(name));
                break;
            case "progressive.jpeg": WriteLibJpeg(P(name), 3, J_COLOR_SPACE.JCS_RGB, progressive: true); break;
            case "gray.jpg": WriteLibJpeg(P(name), 1, J_COLOR_SPACE.JCS_GRAYSCALE, progressive: false); break;
            case "cmyk.jpg": WriteLibJpeg(P(name), 4, J_COLOR_SPACE.JCS_CMYK, progressive: false); break;
        }
        using var loaded = ImageLoader.Load(P(name));
        Assert.Equal((16, 8), (loaded.Width, loaded.Height));
        if (name == "gray.jpg") Assert.Equal(loaded[5, 3].R, loaded[5, 3].B);
    }

    [Fact]
    public void Exif_orientation_is_ignored_by_default_as_in_Pillow_open_and_applied_when_asked()
    {
        using (var im = Pattern(8, 4))
        {
            im.Metadata.ExifProfile = new ExifProfile();
            im.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
            im.SaveAsJpeg(P("rotated.jpg"));
        }
        using var stored = ImageLoader.Load(P("rotated.jpg"));
        Assert.Equal((8, 4), (stored.Width, stored.Height));
        using var upright = ImageLoader.Load(P("rotated.jpg"), Orientation.Upright);
        Assert.Equal((4, 8), (upright.Width, upright.Height));
    }

    [Fact]
    public void Pixel_limit_is_checked_from_the_header()
    {
        using (var im = Pattern()) im.SaveAsPng(P("big.png"));
        var e = Assert.Throws<ImageDecodeException>(() => ImageLoader.Load(P("big.png"), Orientation.AsStored, maxPixels: 47));
        Assert.Contains("pixel limit", e.Reason);
        // A header claiming 60000×60000 is refused without allocating it.
        using (var im = Pattern()) im.SaveAsBmp(P("claims_huge.bmp"));
        var bmp = File.ReadAllBytes(P("claims_huge.bmp"));
        BitConverter.GetBytes(60000).CopyTo(bmp, 18);
        BitConverter.GetBytes(60000).CopyTo(bmp, 22);
        File.WriteAllBytes(P("claims_huge.bmp"), bmp);
        Assert.Contains("pixel limit", Assert.Throws<ImageDecodeException>(() => ImageLoader.Load(P("claims_huge.bmp"))).Reason);
    }

    [Fact]
    public void Broken_files_raise_a_decode_exception_with_path_and_reason()
    {
        using (var im = Pattern(32, 32))
        {
            im.SaveAsJpeg(P("whole.jpg"));
            im.SaveAsPng(P("whole.png"));
        }
        var jpg = File.ReadAllBytes(P("whole.jpg"));
        File.WriteAllBytes(P("cut.jpg"), jpg[..(jpg.Length / 2)]);
        var png = File.ReadAllBytes(P("whole.png"));
        File.WriteAllBytes(P("cut.png"), png[..(png.Length / 2)]);
        File.WriteAllBytes(P("empty.jpg"), []);
        File.WriteAllText(P("notes.JPG"), "not an image at all");
        foreach (var name in new[] { "cut.jpg", "cut.png", "empty.jpg", "notes.JPG", "missing.png" })
        {
            var e = Assert.Throws<ImageDecodeException>(() => ImageLoader.Load(P(name)));
            Assert.Equal(P(name), e.Path);
            Assert.False(string.IsNullOrWhiteSpace(e.Reason));
        }
    }
}
