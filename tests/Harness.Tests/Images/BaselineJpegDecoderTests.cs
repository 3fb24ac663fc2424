using System.Text.Json;
using NetVips;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TraceProbe.Images;
using TraceProbe.Tests.Pipeline;
using TraceProbe.Tests.Support;
using VipsImage = NetVips.Image;

namespace TraceProbe.Tests.Images;

/// <summary>
/// The hand-written decoder (<see cref="BaselineJpegDecoder"/>) against libvips' libjpeg-turbo
/// (<see cref="JpegCodec.DecodeThroughLibvips"/>): the same pixels and header values wherever it decodes, on real
/// photos and on files libjpeg-turbo writes at many settings; and a refusal, never other pixels, for the files it leaves
/// to libvips (progressive, CMYK, corrupt).
/// </summary>
public sealed class BaselineJpegDecoderTests
{
    private static readonly string Pillow422Dir = Path.Combine(Path.GetDirectoryName(ReferencePipeline.Dir)!, "..", "Images", "pillow-422");

    public static TheoryData<string> RealJpegs()
    {
        var data = new TheoryData<string>();
        foreach (var photo in TestData.Photos) data.Add(photo.Path);
        foreach (var path in Directory.EnumerateFiles(ReferencePipeline.Dir, "*.jpg", SearchOption.AllDirectories).Order())
            data.Add(path);
        // 4:2:2 files libvips cannot write: Pillow 9.4's save(quality=50 or 95, subsampling=1) of crops of
        // photos/shell-portrait-422.jpg (c422_*) and of noise (n422_*), down to 1×1 and to chroma 1 to 3 samples wide.
        foreach (var path in Directory.EnumerateFiles(Pillow422Dir, "*.jpg").Order()) data.Add(path);
        return data;
    }

    /// <summary>Whether the decoder handles the file (true) or refuses it (false); on true, its pixels and its
    /// width, height and orientation must be libvips'.</summary>
    private static bool DecodesLikeLibvips(byte[] file, string what)
    {
        (int, int, int)? ours = null, theirs = null;
        if (!BaselineJpegDecoder.TryDecode(file, (w, h, o) => ours = (w, h, o), out var image)) return false;
        using var actual = image!;
        using var expected = JpegCodec.DecodeThroughLibvips(file, (w, h, o) => theirs = (w, h, o));
        Assert.Equal(theirs, ours);
        PixelAssert.Same(expected, actual, what, "libvips");
        return true;
    }

    /// <summary>Handled wherever the decoder runs (AVX2; CI also runs these tests with it switched off).</summary>
    private static void AssertHandled(bool handled, string what) =>
        Assert.True(handled == BaselineJpegDecoder.IsSupported, $"{what}: handled {handled}");

    private static bool IsCmyk(byte[] file) => VipsDecodeBands(file) == 4;

    private static int VipsDecodeBands(byte[] file)
    {
        VipsRuntime.EnsureReady();
        using var image = VipsImage.NewFromBuffer(file, access: Enums.Access.Sequential);
        return image.Bands;
    }

    [Theory]
    [MemberData(nameof(RealJpegs))]
    public void Every_real_baseline_jpeg_is_decoded_to_libvips_pixels(string path)
    {
        var file = File.ReadAllBytes(path);
        var handled = DecodesLikeLibvips(file, path);
        // Progressive and CMYK files are libvips'; every other real file here is the decoder's (where it runs: AVX2).
        var expected = BaselineJpegDecoder.IsSupported && ScanMarkers.FrameMarker(file) is 0xC0 or 0xC1 && !IsCmyk(file);
        Assert.True(handled == expected, $"{path}: handled {handled}, expected {expected}");
    }

    private static byte[] Encode(Image<Rgb24> image, int quality, ChromaSubsampling subsampling, int restartInterval = 0,
        bool progressive = false, bool grey = false)
    {
        VipsRuntime.EnsureReady();
        var rgb = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(rgb);
        using var vips = VipsImage.NewFromMemory(rgb, image.Width, image.Height, 3, Enums.BandFormat.Uchar);
        using var source = grey ? vips.Colourspace(Enums.Interpretation.Bw) : vips.Copy();
        // Pillow's save settings (JpegCodec.Encode), with restart markers or progression where asked.
        return source.JpegsaveBuffer(q: quality, optimizeCoding: false, interlace: progressive, trellisQuant: false,
            overshootDeringing: false, optimizeScans: false, quantTable: 0,
            subsampleMode: subsampling == ChromaSubsampling.Ratio420 ? Enums.ForeignSubsample.On : Enums.ForeignSubsample.Off,
            restartInterval: restartInterval, keep: Enums.ForeignKeep.None);
    }

    private static Image<Rgb24> Crop(int photo, int width, int height)
    {
        var source = JpegCodec.DecodeThroughLibvips(File.ReadAllBytes(TestData.Photos[photo].Path));
        int x = Math.Min(source.Width / 3, source.Width - width), y = Math.Min(source.Height / 4, source.Height - height);
        source.Mutate(c => c.Crop(new Rectangle(x, y, width, height)));
        return source;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 17)]
    [InlineData(7, 9)]
    [InlineData(16, 16)]
    [InlineData(17, 33)]
    [InlineData(33, 5)]
    [InlineData(100, 1)]
    [InlineData(333, 251)]
    public void Files_libjpeg_turbo_writes_at_odd_sizes_qualities_and_restart_intervals_are_decoded_to_its_pixels(int width, int height)
    {
        foreach (var photo in new[] { 0, 5 })
        {
            using var crop = Crop(photo, width, height);
            foreach (var quality in new[] { 50, 75, 95 })
            foreach (var subsampling in new[] { ChromaSubsampling.Ratio420, ChromaSubsampling.Ratio444 })
            foreach (var restart in new[] { 0, 1, 3 })
            {
                var what = $"photo {photo} {width}×{height} q{quality} {subsampling} restart {restart}";
                AssertHandled(DecodesLikeLibvips(Encode(crop, quality, subsampling, restart), what), what);
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 9)]
    [InlineData(333, 251)]
    public void Greyscale_files_are_decoded_to_libvips_replicated_grey(int width, int height)
    {
        using var crop = Crop(1, width, height);
        foreach (var quality in new[] { 50, 95 })
        foreach (var restart in new[] { 0, 2 })
        {
            var file = Encode(crop, quality, ChromaSubsampling.Ratio444, restart, grey: true);
            Assert.Equal(1, VipsDecodeBands(file));
            AssertHandled(DecodesLikeLibvips(file, $"grey {width}×{height} q{quality} restart {restart}"), "grey");
        }
    }

    [Fact]
    public void Extreme_content_is_decoded_to_libvips_pixels_or_left_to_it()
    {
        // Full-range noise and checkerboards at quality 100: the largest coefficients real encoders write.
        using var image = new Image<Rgb24>(67, 45);
        var random = new Random(7);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    var v = (byte)(((x + y) & 1) * 255);
                    row[x] = y < 20 ? new Rgb24(v, (byte)(255 - v), v) : new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                }
            }
        });
        foreach (var quality in new[] { 100, 90 })
        foreach (var subsampling in new[] { ChromaSubsampling.Ratio420, ChromaSubsampling.Ratio444 })
            AssertHandled(DecodesLikeLibvips(Encode(image, quality, subsampling), $"extreme q{quality} {subsampling}"), "extreme");
    }

    [Fact]
    public void Progressive_and_cmyk_files_are_left_to_libvips()
    {
        using var crop = Crop(0, 64, 48);
        foreach (var subsampling in new[] { ChromaSubsampling.Ratio420, ChromaSubsampling.Ratio444 })
            Assert.False(BaselineJpegDecoder.TryDecode(Encode(crop, 75, subsampling, progressive: true), null, out _));
        var cmyk = File.ReadAllBytes(Path.Combine(ReferencePipeline.Dir, "extra", "cmyk-adobe.jpg"));
        Assert.False(BaselineJpegDecoder.TryDecode(cmyk, null, out _));
    }

    [Fact]
    public void Truncated_and_bit_flipped_files_are_refused_or_get_libvips_pixels()
    {
        var original = File.ReadAllBytes(TestData.Photos[0].Path);
        var random = new Random(11);
        var scan = BaselineJpegHeader.TryRead(original)!.ScanStart;
        var refused = 0;
        for (var i = 0; i < 40; i++)
        {
            var file = (byte[])original.Clone();
            if (i % 2 == 0) file = file[..random.Next(scan, file.Length)];
            else file[random.Next(scan, file.Length - 2)] ^= (byte)(1 << random.Next(8));
            try
            {
                if (!DecodesLikeLibvips(file, $"mutant {i}")) refused++;
            }
            catch (InvalidDataException)
            {
                Assert.Fail($"mutant {i}: decoded where libvips refuses");
            }
        }
        // Every truncation is refused (no EOI): the test does reach the refusals.
        Assert.True(refused >= 20, $"{refused} refused");
    }

    [Fact]
    public void No_corrupt_mutant_is_decoded_to_pixels_other_than_libvips()
    {
        using var fixture = JsonDocument.Parse(File.ReadAllText(CorruptJpegTests.FixturePath));
        int decoded = 0, refused = 0;
        foreach (var record in fixture.RootElement.GetProperty("mutants").EnumerateArray())
        {
            var name = $"{record.GetProperty("source").GetString()} {record.GetProperty("mutant").GetString()}";
            if (record.GetProperty("mutant").GetString() == "sof-huge") continue;
            var file = CorruptJpegTests.Mutant(record);
            try
            {
                if (DecodesLikeLibvips(file, name)) decoded++;
                else refused++;
            }
            catch (InvalidDataException e)
            {
                Assert.Fail($"{name}: decoded where libvips refuses ({e.Message})");
            }
        }
        Assert.True(refused > 100, $"{decoded} decoded, {refused} refused");
    }

    [Fact]
    public void The_vector_inverse_dct_gives_the_scalar_samples_and_flags_coefficients_outside_its_exact_range()
    {
        if (!IslowDctAvx2.IsSupported) return;
        var random = new Random(5);
        var coefficients = new int[64];
        var output = new byte[64];
        var expected = new byte[64];
        var checkedBlocks = 0;
        for (var trial = 0; trial < 20000; trial++)
        {
            // Mostly real-photo magnitudes, some blocks near and past the 16-bit limits.
            var scale = trial % 10 == 0 ? 20000 : trial % 3 == 0 ? 2000 : 200;
            for (var i = 0; i < 64; i++) coefficients[i] = random.Next(8) < (trial % 4 == 0 ? 8 : 2) ? random.Next(-scale, scale + 1) : 0;
            var exact = IslowDctAvx2.InverseBlock(coefficients, output, 8);
            IslowDct.Inverse(coefficients, expected, 8);
            if (coefficients.Any(c => Math.Abs(c) > 16383)) Assert.False(exact, $"trial {trial}: a coefficient beyond ±16383 passed");
            if (!exact) continue;
            checkedBlocks++;
            Assert.True(expected.AsSpan().SequenceEqual(output), $"trial {trial}");
        }
        Assert.True(checkedBlocks > 10000, $"{checkedBlocks} blocks in range");

        // DC-only blocks (which the decoder fills without the transform) at the edges of the exact range.
        Array.Clear(coefficients);
        foreach (var dc in new[] { -4096, -4095, 4091, 4092, 4095, 16383, 16384 })
        {
            coefficients[0] = dc;
            var exact = IslowDctAvx2.InverseBlock(coefficients, output, 8);
            Assert.True(exact == dc is >= -4095 and <= 4091, $"DC {dc}: exact {exact}");
        }
    }
}
