using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace TraceProbe.Images;

/// <summary>
/// The pixels Pillow's <c>save(quality=q, subsampling=0|2)</c> then <c>open().convert('RGB')</c> give, computed without
/// writing the file: libjpeg-turbo's colour conversion, edge replication and 2×2 box downsampling, ISLOW forward DCT
/// and quantisation, then dequantisation, ISLOW inverse DCT, "fancy" (triangle) upsampling and its YCbCr→RGB tables.
/// Entropy coding is lossless, so the decoded pixels depend only on the quantised coefficients: skipping it gives the
/// same pixels at a fraction of the time (docs/benchmarks.md). Hand-written, because no library offers the lossy half
/// of a JPEG codec on its own; tests hold it to libjpeg-turbo's own round trip (<see cref="JpegCodec"/>) on real photos
/// and odd sizes, and to Pillow's fixtures.
/// </summary>
public static class JpegRoundTrip
{
    /// <summary>Whether the vector paths run here (x86 with AVX2); elsewhere the scalar form is exact but slower than
    /// libjpeg-turbo's own round trip.</summary>
    public static bool IsFast => IslowDctAvx2.IsSupported && JpegColourAvx2.IsSupported && ChromaSamplingSse.IsSupported;

    /// <summary>libjpeg's largest width or height (JPEG_MAX_DIMENSION), beyond which Pillow's save fails.</summary>
    public const int MaxSide = 65500;

    /// <summary>Baseline JPEG (what Pillow writes) caps a step at 255; libjpeg applies the cap below quality 25.</summary>
    public static Image<Rgb24> Apply(Image<Rgb24> image, int quality, ChromaSubsampling subsampling)
    {
        var (luma, chroma) = JpegQuantisation.For(quality);
        int w = image.Width, h = image.Height;
        // Pillow's save fails beyond libjpeg's dimension limit; the planes are single arrays.
        if (w > MaxSide || h > MaxSide)
            throw new InvalidOperationException($"a JPEG cannot hold a {w}×{h} image (at most {MaxSide} pixels a side)");
        if ((long)(w + 15) * (h + 15) > Array.MaxLength)
            throw new InvalidOperationException($"a {w}×{h} image is too large for the JPEG round trip's planes");
        var planes = new JpegPlanes(w, h, subsampling);
        try
        {
            image.ProcessPixelRows(rows => planes.Convert(rows));
            planes.Requantise(luma, chroma);
            var output = new Image<Rgb24>(w, h);
            output.ProcessPixelRows(rows => planes.Reconstruct(rows));
            return output;
        }
        finally
        {
            planes.Return();
        }
    }
}
