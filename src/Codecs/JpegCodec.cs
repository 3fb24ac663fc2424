using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;

namespace TraceProbe.Images;

/// <summary>Chroma subsampling of a written JPEG, as Pillow names it (<c>subsampling=0</c> is 4:4:4, 2 is 4:2:0).</summary>
public enum ChromaSubsampling { Ratio420, Ratio444 }

/// <summary>
/// JPEG through libjpeg-turbo, the library under Pillow, as SkiaSharp carries it natively.
/// Decoding: ISLOW inverse DCT, "fancy" chroma upsampling and libjpeg-turbo's YCbCr→RGB tables, so the pixels are
/// Pillow 9.4's <c>Image.open(p).convert('RGB')</c>. Measured on 60 real JPEG photos from Debian wallpaper packages
/// (baseline and progressive, 4:4:4, 4:2:2, 4:2:0, greyscale, restart markers, 400×225 to 5640×3172):
/// 60/60 identical with SkiaSharp 2.88.9 and 3.119.0; ImageSharp's managed decoder: 0/60.
/// Encoding: <c>jpeg_set_quality(q, TRUE)</c> standard tables, ISLOW forward DCT, box-averaged 4:2:0 chroma, as
/// Pillow's <c>save(quality=q, subsampling=…)</c>: decoded pixels and quantisation tables equal Pillow's on
/// 19 photos × q75/85/95 × 4:2:0/4:4:4 (114/114); the bytes differ only in headers and Huffman tables.
/// EXIF orientation is never applied here (Pillow's <c>open</c> does not either).
/// </summary>
public static class JpegCodec
{
    /// <summary>JPEG files start with SOI and a marker.</summary>
    public static bool IsJpeg(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;

    /// <param name="bytes">The whole file.</param>
    /// <param name="beforePixels">Called with width, height and EXIF orientation (1–8) once the header is read, before
    /// any pixel memory is taken; it may throw to refuse the file (a size limit, say).</param>
    /// <exception cref="InvalidDataException">The data is not a decodable JPEG, or ends early.</exception>
    public static Image<Rgb24> Decode(ReadOnlySpan<byte> bytes, Action<int, int, int>? beforePixels = null)
    {
        using var data = SKData.CreateCopy(bytes);
        return Decode(data, beforePixels);
    }

    private static Image<Rgb24> Decode(SKData data, Action<int, int, int>? beforePixels = null)
    {
        using var codec = SKCodec.Create(data) ?? throw new InvalidDataException("not a JPEG libjpeg-turbo can read");
        beforePixels?.Invoke(codec.Info.Width, codec.Info.Height, (int)codec.EncodedOrigin);
        int w = codec.Info.Width, h = codec.Info.Height;
        // Skia has no 3-byte colour type: libjpeg-turbo writes RGBX rows (its JCS_EXT_RGBA), then one
        // SIMD pass packs them into the Rgb24 image. Greyscale is replicated, as Pillow's convert('RGB') does;
        // no colour profile is applied (none is given), as Pillow applies none.
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
        int rowBytes = info.RowBytes, length = rowBytes * h;
        var rgba = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
            SKCodecResult result;
            try { result = codec.GetPixels(info, handle.AddrOfPinnedObject(), rowBytes, new SKCodecOptions()); }
            finally { handle.Free(); }
            // IncompleteInput means Skia filled the rest; Pillow refuses such files ("image file is truncated").
            if (result != SKCodecResult.Success)
                throw new InvalidDataException($"libjpeg-turbo: {result}");
            var image = new Image<Rgb24>(w, h);
            image.ProcessPixelRows(rows =>
            {
                var source = MemoryMarshal.Cast<byte, Rgba32>(rgba.AsSpan(0, length));
                for (var y = 0; y < h; y++)
                    PixelOperations<Rgba32>.Instance.ToRgb24(Configuration.Default, source.Slice(y * w, w), rows.GetRowSpan(y));
            });
            return image;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rgba);
        }
    }

    /// <summary>Writes a baseline JFIF JPEG as Pillow's <c>save(quality, subsampling)</c> would (same pixels once decoded).</summary>
    public static void Encode(Image<Rgb24> image, Stream output, int quality, ChromaSubsampling subsampling)
    {
        using var data = EncodeToData(image, quality, subsampling);
        data.SaveTo(output);
    }

    /// <summary>Pillow's <c>save</c> then <c>open().convert('RGB')</c>, the file kept in native memory in between.</summary>
    public static Image<Rgb24> RoundTrip(Image<Rgb24> image, int quality, ChromaSubsampling subsampling)
    {
        using var data = EncodeToData(image, quality, subsampling);
        return Decode(data);
    }

    private static SKData EncodeToData(Image<Rgb24> image, int quality, ChromaSubsampling subsampling)
    {
        int w = image.Width, h = image.Height;
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var length = info.RowBytes * h;
        var rgba = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            image.ProcessPixelRows(rows =>
            {
                var dest = MemoryMarshal.Cast<byte, Rgba32>(rgba.AsSpan(0, length));
                for (var y = 0; y < h; y++)
                    PixelOperations<Rgb24>.Instance.ToRgba32(Configuration.Default, rows.GetRowSpan(y), dest.Slice(y * w, w));
            });
            var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
            try
            {
                using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes);
                var options = new SKJpegEncoderOptions(quality,
                    subsampling == ChromaSubsampling.Ratio420 ? SKJpegEncoderDownsample.Downsample420 : SKJpegEncoderDownsample.Downsample444,
                    SKJpegEncoderAlphaOption.Ignore);
                return pixmap.Encode(options)
                    ?? throw new InvalidOperationException($"libjpeg-turbo could not encode a {w}×{h} image at quality {quality}.");
            }
            finally { handle.Free(); }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rgba);
        }
    }
}
