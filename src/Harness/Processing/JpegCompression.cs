using BitMiracle.LibJpeg.Classic;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace TraceProbe.Processing;

/// <summary>Chroma subsampling of a JPEG trace, as Pillow names it.</summary>
public enum ChromaSubsampling { Ratio420, Ratio444 }

/// <summary>Which JPEG implementation produces the trace; LibJpeg is the one measured closest to Pillow.</summary>
public enum JpegLibrary { LibJpeg, ImageSharp }

/// <summary>
/// JPEG encode then decode at a quality and chroma subsampling (the paper's JPEG{q}_{420|444}), as Pillow
/// does it with libjpeg(-turbo): standard IJG tables scaled by quality (<c>jpeg_set_quality(q, TRUE)</c>),
/// baseline, Huffman tables not optimised, islow DCT, 2×2 box-averaged chroma for 4:2:0; decoded with
/// libjpeg-turbo's default "fancy" (triangle) chroma upsampling and its fixed-point YCbCr→RGB.
/// The managed IJG port (BitMiracle.LibJpeg.NET) is the default: measured against Pillow it agrees far
/// better than ImageSharp's codec (figures in PillowFidelityTests). It is an IJG libjpeg 9 port, whose DCT-domain
/// chroma scaling is switched off so that the chroma is box-downsampled as in libjpeg-turbo, and whose
/// upsampling lacks the triangle filter, so the decode reads raw components and upsamples here.
/// </summary>
public sealed class JpegCompression(int quality, ChromaSubsampling subsampling, JpegLibrary library = JpegLibrary.LibJpeg) : ProcessingOp
{
    public int Quality { get; } = quality is >= 1 and <= 100
        ? quality
        : throw new ArgumentOutOfRangeException(nameof(quality), quality, "JPEG quality must be in 1..100.");

    public ChromaSubsampling Subsampling { get; } = subsampling;

    public JpegLibrary Library { get; } = library;

    public override string Id => $"JPEG{Quality}_{(Subsampling == ChromaSubsampling.Ratio420 ? "420" : "444")}";

    /// <summary>Writes the JPEG file itself (baseline, no optimisation, JFIF).</summary>
    public void Encode(Image<Rgb24> image, Stream output)
    {
        if (Library == JpegLibrary.ImageSharp)
        {
            image.SaveAsJpeg(output, new JpegEncoder
            {
                Quality = Quality,
                ColorType = Subsampling == ChromaSubsampling.Ratio420 ? JpegColorType.YCbCrRatio420 : JpegColorType.YCbCrRatio444,
            });
            return;
        }
        LibJpegCodec.Encode(image, output, Quality, Subsampling);
    }

    /// <summary>Decodes a JPEG written by <see cref="Encode"/> the way Pillow (libjpeg-turbo) would.</summary>
    public Image<Rgb24> Decode(Stream input) =>
        Library == JpegLibrary.ImageSharp ? Image.Load<Rgb24>(input) : LibJpegCodec.Decode(input);

    public override Image<Rgb24> Apply(Image<Rgb24> image, ulong seed)
    {
        using var buffer = new MemoryStream();
        Encode(image, buffer);
        buffer.Position = 0;
        return Decode(buffer);
    }
}
