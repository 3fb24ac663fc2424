using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;
using TraceProbe.Images;

namespace TraceProbe.Benchmarks.Peers;

/// <summary>
/// The JPEG path TraceProbe used before libvips, kept as a peer in the benchmarks: libjpeg-turbo through SkiaSharp,
/// identical to Pillow 9.4 on decoded pixels too, but its encoder made the JPEG95_444 stage about 4× Pillow's time.
/// Skia has no 3-byte colour type, so both directions go through an RGBA buffer.
/// </summary>
public static class SkiaJpegCodec
{
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
