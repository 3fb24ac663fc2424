using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using TraceProbe.Images;

namespace TraceProbe.Processing;

/// <summary>Which JPEG implementation produces the trace; libjpeg-turbo is Pillow's, ImageSharp is kept for comparison.</summary>
public enum JpegLibrary { LibJpegTurbo, ImageSharp }

/// <summary>
/// JPEG encode then decode at a quality and chroma subsampling (the paper's JPEG{q}_{420|444}), as Pillow
/// does it: <c>save(quality=q, subsampling=0|2)</c> then <c>open().convert('RGB')</c>. <see cref="Apply"/> computes
/// libjpeg-turbo's lossy steps without writing the file (<see cref="JpegRoundTrip"/>); <see cref="Encode"/> writes
/// the file through libjpeg-turbo itself (<see cref="JpegCodec"/>). Both give Pillow's decoded pixels.
/// </summary>
public sealed class JpegCompression(int quality, ChromaSubsampling subsampling, JpegLibrary library = JpegLibrary.LibJpegTurbo) : ProcessingOp
{
    public int Quality { get; } = quality is >= 1 and <= 100
        ? quality
        : throw new ArgumentOutOfRangeException(nameof(quality), quality, "JPEG quality must be in 1..100.");

    public ChromaSubsampling Subsampling { get; } = subsampling;

    public JpegLibrary Library { get; } = library;

    public override string Id => $"JPEG{Quality}_{(Subsampling == ChromaSubsampling.Ratio420 ? "420" : "444")}";

    /// <summary>Writes the JPEG file itself (baseline, JFIF).</summary>
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
        JpegCodec.Encode(image, output, Quality, Subsampling);
    }

    /// <summary>Decodes a JPEG written by <see cref="Encode"/> the way Pillow (libjpeg-turbo) would.</summary>
    public Image<Rgb24> Decode(byte[] jpeg) =>
        Library == JpegLibrary.ImageSharp ? Image.Load<Rgb24>(jpeg) : JpegCodec.Decode(jpeg);

    public override Image<Rgb24> Apply(Image<Rgb24> image, ulong seed)
    {
        if (Library == JpegLibrary.LibJpegTurbo) return JpegCodec.RoundTrip(image, Quality, Subsampling);
        using var buffer = new MemoryStream();
        Encode(image, buffer);
        return Decode(buffer.ToArray());
    }
}
