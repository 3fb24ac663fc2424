using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace TraceProbe.Processing;

/// <summary>Chroma subsampling of a JPEG trace, as Pillow names it.</summary>
public enum ChromaSubsampling { Ratio420, Ratio444 }

/// <summary>
/// JPEG encode then decode at a quality and chroma subsampling (the paper's JPEG{q}_{420|444}).
/// ImageSharp scales the standard IJG tables by quality exactly as libjpeg (and so Pillow) does.
/// </summary>
public sealed class JpegCompression(int quality, ChromaSubsampling subsampling) : ProcessingOp
{
    public int Quality { get; } = quality is >= 1 and <= 100
        ? quality
        : throw new ArgumentOutOfRangeException(nameof(quality), quality, "JPEG quality must be in 1..100.");

    public ChromaSubsampling Subsampling { get; } = subsampling;

    public override string Id => $"JPEG{Quality}_{(Subsampling == ChromaSubsampling.Ratio420 ? "420" : "444")}";

    /// <summary>Writes the JPEG file itself (baseline, no optimisation).</summary>
    public void Encode(Image<Rgb24> image, Stream output) => image.SaveAsJpeg(output, new JpegEncoder
    {
        Quality = Quality,
        ColorType = Subsampling == ChromaSubsampling.Ratio420 ? JpegColorType.YCbCrRatio420 : JpegColorType.YCbCrRatio444,
    });

    public override Image<Rgb24> Apply(Image<Rgb24> image, ulong seed)
    {
        using var buffer = new MemoryStream();
        Encode(image, buffer);
        buffer.Position = 0;
        return Image.Load<Rgb24>(buffer);
    }
}
