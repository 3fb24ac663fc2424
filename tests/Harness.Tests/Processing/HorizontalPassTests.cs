using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TraceProbe.Processing;

namespace TraceProbe.Tests.Processing;

/// <summary>
/// The resampler's vector horizontal pass against its scalar one, byte for byte: every filter, shrinking and
/// enlarging, row counts that do and do not fill its blocks of eight, crops at every edge, on noise (every tap
/// matters) and on saturated edges (negative lobes clip). Pillow's own pixels are checked by PillowFidelityTests.
/// </summary>
public sealed class HorizontalPassTests
{
    public static TheoryData<ResampleFilter, int, int, int, int> Cases()
    {
        var data = new TheoryData<ResampleFilter, int, int, int, int>();
        foreach (var filter in new[] { ResampleFilter.Bilinear, ResampleFilter.Bicubic, ResampleFilter.Lanczos, ResampleFilter.Box, ResampleFilter.Hamming })
        foreach (var (w, h, outW, outH) in new[] { (97, 61, 40, 23), (97, 61, 211, 17), (16, 9, 7, 9), (5, 33, 3, 8), (640, 427, 336, 224), (31, 8, 64, 64) })
            data.Add(filter, w, h, outW, outH);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_vector_pass_gives_the_scalar_pass_bytes(ResampleFilter filter, int w, int h, int outW, int outH)
    {
        var random = new Random(w * 1000 + h);
        using var image = new Image<Rgb24>(w, h);
        for (var y = 0; y < h; y++)
        for (var x = 0; x < w; x++)
            image[x, y] = (x + y) % 7 == 0
                ? ((x & 1) == 0 ? new Rgb24(255, 255, 255) : new Rgb24(0, 0, 0))
                : new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        foreach (var region in new[] { new Rectangle(0, 0, outW, outH), new Rectangle(outW / 3, outH / 4, Math.Max(1, outW / 2), Math.Max(1, outH / 2)) })
        {
            using var vector = PillowResampler.Resize(image, outW, outH, filter, region);
            PillowResampler.VectorPass = false;
            try
            {
                using var scalar = PillowResampler.Resize(image, outW, outH, filter, region);
                Assert.Equal(Bytes(scalar), Bytes(vector));
            }
            finally
            {
                PillowResampler.VectorPass = true;
            }
        }
    }

    private static byte[] Bytes(Image<Rgb24> image)
    {
        var pixels = new Rgb24[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(pixels.AsSpan()).ToArray();
    }
}
