using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace TraceProbe.Images;

/// <summary>How EXIF orientation is treated.</summary>
public enum Orientation
{
    /// <summary>Pixels as stored, ignoring the tag: what the paper's <c>Image.open(p).convert('RGB')</c> sees.</summary>
    AsStored,

    /// <summary>Rotated/flipped upright as the tag says, like Pillow's <c>ImageOps.exif_transpose</c>.</summary>
    Upright,
}

/// <summary>
/// Decodes a source image into 8-bit RGB as Pillow's <c>convert('RGB')</c> would: alpha is dropped (not composited),
/// palette images take their palette colours, grayscale is replicated, CMYK/YCCK JPEGs are converted
/// (libjpeg-turbo, as under Pillow), 16-bit samples are scaled to 8 bits (ImageSharp rounds where Pillow takes the high byte: at most 1 level apart).
/// Format is sniffed from content, so any extension or file name works. By default EXIF orientation is NOT applied,
/// because the paper's pipelines use plain <c>Image.open(...).convert('RGB')</c>; pass <see cref="Orientation.Upright"/>
/// for <c>exif_transpose</c> behaviour.
/// </summary>
public static class ImageLoader
{
    /// <summary>Pillow's decompression-bomb error threshold (2 × MAX_IMAGE_PIXELS).</summary>
    public const long DefaultMaxPixels = 2L * 89_478_485;

    public static Image<Rgb24> Load(string path) => Load(path, Orientation.AsStored, DefaultMaxPixels);

    /// <exception cref="ImageDecodeException">Missing, empty, unrecognised, truncated, corrupt or too large.</exception>
    public static Image<Rgb24> Load(string path, Orientation orientation, long maxPixels = DefaultMaxPixels)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException(path, $"cannot be read ({e.Message})", e);
        }
        if (bytes.Length == 0) throw new ImageDecodeException(path, "empty file");

        if (JpegCodec.IsJpeg(bytes)) return LoadJpeg(path, bytes, orientation, maxPixels);

        IImageInfo? info;
        SixLabors.ImageSharp.Formats.IImageFormat? format;
        try { info = Image.Identify(bytes, out format); }
        catch (Exception e) when (IsDecodeError(e))
        {
            throw new ImageDecodeException(path, $"unreadable header ({e.Message})", e);
        }
        if (info is null) throw new ImageDecodeException(path, "not a recognised image format");
        // ImageSharp also takes a JPEG whose start-of-image marker is damaged; Pillow does not recognise it.
        if (format is SixLabors.ImageSharp.Formats.Jpeg.JpegFormat)
            throw new ImageDecodeException(path, "not a recognised image format (a JPEG without its start-of-image marker)");
        // The limit is checked from the header alone, before any pixel memory is allocated.
        CheckSize(path, info.Width, info.Height, maxPixels);
        if (Truncation(bytes) is { } why) throw new ImageDecodeException(path, why);

        Image<Rgb24> image;
        try { image = Image.Load<Rgb24>(bytes); }
        catch (Exception e) when (IsDecodeError(e))
        {
            throw new ImageDecodeException(path, $"corrupt image data ({e.Message})", e);
        }
        if (orientation == Orientation.Upright) image.Mutate(x => x.AutoOrient());
        return image;
    }

    /// <summary>
    /// JPEG goes through libjpeg-turbo (<see cref="JpegCodec"/>): measured identical to Pillow on 60/60 real photos,
    /// where ImageSharp's decoder never was. The other formats are lossless or palette-based, and ImageSharp's
    /// pixels equal Pillow's for them (16-bit samples aside, see the class summary).
    /// </summary>
    private static Image<Rgb24> LoadJpeg(string path, byte[] bytes, Orientation orientation, long maxPixels)
    {
        var exifOrientation = 1;
        Image<Rgb24> image;
        try
        {
            image = JpegCodec.Decode(bytes, (width, height, tag) =>
            {
                CheckSize(path, width, height, maxPixels);
                if (Truncation(bytes) is { } why) throw new ImageDecodeException(path, why);
                exifOrientation = tag;
            });
        }
        catch (InvalidDataException e)
        {
            throw new ImageDecodeException(path, $"corrupt or unreadable JPEG ({e.Message})", e);
        }
        if (orientation == Orientation.Upright && exifOrientation is > 1 and <= 8)
        {
            // The decoded pixels carry no metadata; hand ImageSharp the header's tag so AutoOrient rotates as exif_transpose.
            image.Metadata.ExifProfile = new ExifProfile();
            image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)exifOrientation);
            image.Mutate(x => x.AutoOrient());
        }
        return image;
    }

    private static void CheckSize(string path, int width, int height, long maxPixels)
    {
        if ((long)width * height > maxPixels)
            throw new ImageDecodeException(path, $"{width}×{height} exceeds the {maxPixels}-pixel limit");
    }

    private static bool IsDecodeError(Exception e) =>
        e is ImageFormatException or NotSupportedException or InvalidDataException or IndexOutOfRangeException
            or ArgumentException or InvalidOperationException or EndOfStreamException;

    /// <summary>
    /// ImageSharp decodes some truncated files without complaint (grey or black fill); Pillow refuses them
    /// ("image file is truncated"), so the end markers are checked here for the formats that have one.
    /// </summary>
    private static string? Truncation(byte[] b)
    {
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8)
        {
            // EOI after the first start-of-scan (an EXIF thumbnail's EOI comes before it).
            var sos = IndexOf(b, 0xFF, 0xDA, 2);
            if (sos < 0 || IndexOf(b, 0xFF, 0xD9, sos) < 0) return "truncated JPEG (no end-of-image marker)";
        }
        else if (b.Length >= 8 && b[0] == 0x89 && b[1] == 0x50 && b[2] == 0x4E && b[3] == 0x47)
        {
            if (b.AsSpan().LastIndexOf("IEND"u8) < 0) return "truncated PNG (no IEND chunk)";
        }
        return null;
    }

    private static int IndexOf(byte[] b, byte first, byte second, int from)
    {
        for (var i = from; i < b.Length - 1; i++)
            if (b[i] == first && b[i + 1] == second) return i;
        return -1;
    }
}
