using System.Buffers;
using System.Runtime.InteropServices;
using NetVips;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using VipsImage = NetVips.Image;

namespace TraceProbe.Images;

/// <summary>Chroma subsampling of a written JPEG, as Pillow names it (<c>subsampling=0</c> is 4:4:4, 2 is 4:2:0).</summary>
public enum ChromaSubsampling { Ratio420, Ratio444 }

/// <summary>
/// JPEG through libjpeg-turbo, the library under Pillow, as libvips (NetVips) carries it natively.
/// Decoding: ISLOW inverse DCT, "fancy" chroma upsampling and libjpeg-turbo's YCbCr→RGB tables, so the pixels are
/// Pillow 9.4's <c>Image.open(p).convert('RGB')</c>; greyscale is replicated and CMYK converted with Pillow's own
/// formula (no colour profile), as <c>convert('RGB')</c> does. Encoding: <c>jpeg_set_quality(q, TRUE)</c> standard
/// tables, ISLOW forward DCT, box-averaged 4:2:0 chroma, no Huffman optimisation, as Pillow's
/// <c>save(quality=q, subsampling=…)</c>. EXIF orientation is never applied here (Pillow's <c>open</c> does not either).
/// <para>
/// Why libvips (measured 2026-12-03, one thread): decode and the JPEG95_444 round trip are identical to Pillow on
/// the 94 bundled photos for libvips 8.18 (JPEG75_420 too) and for ImageMagick 7 (Magick.NET 15.1), as for SkiaSharp,
/// used before. Per photo libvips decoded in 3.1–3.5 ms and did the JPEG95_444 stage in 5.1–6.3 ms, Magick.NET in
/// 5.2–5.9 and 8.1–10.3; SkiaSharp took 2.2–2.6× libvips' time on the stage (its encoder). On corrupt files
/// libvips can stop at libjpeg's first warning (<c>fail_on=warning</c>), which the rules below build on; Magick.NET
/// did not finish the corrupt set in 5 minutes. libvips is still slower than Pillow's direct libjpeg-turbo calls
/// (in alternating runs about 1.3× Pillow's decode time and 1.4× its stage time; docs/benchmarks.md), so the JPEG
/// ops' round trip skips libvips and the file altogether (<see cref="RoundTrip"/>), and the common baseline file is
/// decoded without libvips, to the same pixels (<see cref="BaselineJpegDecoder"/>).
/// </para>
/// </summary>
public static class JpegCodec
{
    /// <summary>JPEG files start with SOI and a marker.</summary>
    public static bool IsJpeg(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;

    /// <param name="bytes">The whole file.</param>
    /// <param name="beforePixels">Called with width, height and EXIF orientation (1–8) once the header is read, before
    /// any pixel memory is taken; it may throw to refuse the file (a size limit, say).</param>
    /// <exception cref="InvalidDataException">The data is not a JPEG Pillow would decode, or ends early.</exception>
    /// <remarks>
    /// Corrupt files, as measured on mutants of real photos (tests/Harness.Tests/Images/corrupt-jpegs.json): a file
    /// libjpeg decodes without a warning gives Pillow's pixels. A file it warns about is decoded again, tolerating
    /// warnings but not truncation (Pillow refuses truncated files), and kept when it is baseline with no header
    /// marker inside its scan (<see cref="ScanMarkers"/>); a progressive file that warns is refused, because one such
    /// file (a false end-of-image marker) decoded differently from Pillow, and a refusal is reported where a wrong
    /// pixel would not be.
    /// </remarks>
    public static Image<Rgb24> Decode(ReadOnlySpan<byte> bytes, Action<int, int, int>? beforePixels = null) =>
        Decode(bytes.ToArray(), beforePixels);

    /// <inheritdoc cref="Decode(ReadOnlySpan{byte}, Action{int, int, int}?)"/>
    /// <remarks>The common file (baseline, one scan, greyscale or YCbCr at 4:4:4, 4:2:2 or 4:2:0, no irregularity) is
    /// decoded by <see cref="BaselineJpegDecoder"/> to the same pixels in about half libvips' time; every other file,
    /// corrupt ones included, goes to libvips as below. <paramref name="beforePixels"/> may then be called twice with
    /// the same values, as it already is when libvips' strict attempt fails.</remarks>
    public static Image<Rgb24> Decode(byte[] file, Action<int, int, int>? beforePixels = null) =>
        BaselineJpegDecoder.TryDecode(file, beforePixels, out var image) ? image! : DecodeThroughLibvips(file, beforePixels);

    /// <summary><see cref="Decode(byte[], Action{int, int, int}?)"/> without the hand-written decoder: the reference
    /// its tests and benchmark compare it with.</summary>
    internal static Image<Rgb24> DecodeThroughLibvips(byte[] file, Action<int, int, int>? beforePixels = null)
    {
        VipsRuntime.EnsureReady();
        try
        {
            return Decode(file, Enums.FailOn.Warning, beforePixels);
        }
        catch (VipsException strict)
        {
            var frame = ScanMarkers.FrameMarker(file);
            if (frame is not (0xC0 or 0xC1))
                throw new InvalidDataException(frame is 0xC2 or 0xC6 or 0xCA or 0xCE
                    ? $"corrupt progressive JPEG ({LastLine(strict)})" : $"libjpeg-turbo: {LastLine(strict)}", strict);
            if (ScanMarkers.HeaderMarkerInsideScan(file) is { } marker)
                throw new InvalidDataException($"corrupt JPEG: marker 0x{marker:X2} inside the scan data ({LastLine(strict)})", strict);
            try
            {
                return Decode(file, Enums.FailOn.Truncated, beforePixels);
            }
            catch (VipsException e)
            {
                throw new InvalidDataException($"libjpeg-turbo: {LastLine(e)}", e);
            }
        }
    }

    private static Image<Rgb24> Decode(byte[] file, Enums.FailOn failOn, Action<int, int, int>? beforePixels)
    {
        // Only the header is read here; the pixels are decoded by WriteToMemory, after the caller's size check.
        using var image = VipsImage.NewFromBuffer(file, access: Enums.Access.Sequential, failOn: failOn);
        int w = image.Width, h = image.Height, bands = image.Bands;
        var orientation = image.Contains("orientation") ? (int)image.Get("orientation") : 1;
        beforePixels?.Invoke(w, h, orientation is >= 1 and <= 8 ? orientation : 1);
        if (image.Format != Enums.BandFormat.Uchar || bands is not (1 or 3 or 4))
            throw new InvalidDataException($"unsupported JPEG layout ({bands} bands of {image.Format})");
        var pixels = image.WriteToMemory(out var size);
        try
        {
            if ((long)size != (long)w * h * bands)
                throw new InvalidDataException($"libvips returned {size} bytes for {w}×{h}×{bands}");
            // One copy into ImageSharp's pooled memory, so that the image owns its pixels like any other (a view of
            // libvips' block would have to be freed by whoever disposes the image, or leak); greyscale is replicated
            // and CMYK converted on the way.
            var rgb = new Image<Rgb24>(w, h);
            var length = (int)size;
            rgb.ProcessPixelRows(rows =>
            {
                ReadOnlySpan<byte> source;
                unsafe { source = new ReadOnlySpan<byte>((void*)pixels, length); }
                for (var y = 0; y < h; y++)
                {
                    var row = rows.GetRowSpan(y);
                    if (bands == 3) source.Slice(y * w * 3, w * 3).CopyTo(MemoryMarshal.AsBytes(row));
                    else if (bands == 1) GreyToRgb(source.Slice(y * w, w), row);
                    else CmykToRgb(source.Slice(y * w * 4, w * 4), row);
                }
            });
            return rgb;
        }
        finally
        {
            NetVips.NetVips.Free(pixels);
        }
    }

    private static void GreyToRgb(ReadOnlySpan<byte> grey, Span<Rgb24> rgb)
    {
        for (var x = 0; x < rgb.Length; x++) rgb[x] = new Rgb24(grey[x], grey[x], grey[x]);
    }

    /// <summary>Pillow 9.4's <c>cmyk2rgb</c> (Convert.c), hand-written because libvips converts through an ICC profile:
    /// each channel (255 − k) − (c·(255 − k))/255 with its rounded division.</summary>
    private static void CmykToRgb(ReadOnlySpan<byte> cmyk, Span<Rgb24> rgb)
    {
        static byte Channel(int c, int nk)
        {
            var t = c * nk + 128;
            return (byte)Math.Clamp(nk - (((t >> 8) + t) >> 8), 0, 255);
        }
        for (var x = 0; x < rgb.Length; x++)
        {
            var nk = 255 - cmyk[4 * x + 3];
            rgb[x] = new Rgb24(Channel(cmyk[4 * x], nk), Channel(cmyk[4 * x + 1], nk), Channel(cmyk[4 * x + 2], nk));
        }
    }

    /// <summary>Writes a baseline JFIF JPEG as Pillow's <c>save(quality, subsampling)</c> would (same pixels once decoded).</summary>
    public static void Encode(Image<Rgb24> image, Stream output, int quality, ChromaSubsampling subsampling) =>
        output.Write(EncodeToBytes(image, quality, subsampling));

    /// <summary>Pillow's <c>save</c> then <c>open().convert('RGB')</c>: the same pixels either way, computed without the
    /// file where the CPU has AVX2 (<see cref="JpegRoundTrip"/>, a seventh of the time; its tests hold it to
    /// <see cref="RoundTripThroughFile"/>), through libjpeg-turbo's file elsewhere (its scalar form would be slower
    /// than libjpeg-turbo's own SIMD code).</summary>
    public static Image<Rgb24> RoundTrip(Image<Rgb24> image, int quality, ChromaSubsampling subsampling) =>
        JpegRoundTrip.IsFast ? JpegRoundTrip.Apply(image, quality, subsampling) : RoundTripThroughFile(image, quality, subsampling);

    /// <summary>Pillow's <c>save</c> then <c>open().convert('RGB')</c> in libjpeg-turbo itself, the file kept in
    /// memory in between: the reference <see cref="JpegRoundTrip"/> is tested against, and its benchmark peer.</summary>
    public static Image<Rgb24> RoundTripThroughFile(Image<Rgb24> image, int quality, ChromaSubsampling subsampling)
    {
        var file = EncodeToBytes(image, quality, subsampling);
        try
        {
            return Decode(file, Enums.FailOn.Truncated, null);
        }
        catch (VipsException e)
        {
            throw new InvalidOperationException($"libjpeg-turbo could not read back its own {image.Width}×{image.Height} JPEG: {LastLine(e)}", e);
        }
    }

    private static byte[] EncodeToBytes(Image<Rgb24> image, int quality, ChromaSubsampling subsampling)
    {
        VipsRuntime.EnsureReady();
        int w = image.Width, h = image.Height;
        var length = w * h * 3;
        // libvips reads the pixels in place when ImageSharp holds them in one block (images up to a few megapixels);
        // larger images are copied row by row into one pooled block first.
        byte[]? rented = null;
        MemoryHandle pin;
        if (image.DangerousTryGetSinglePixelMemory(out var memory))
        {
            pin = memory.Pin();
        }
        else
        {
            rented = ArrayPool<byte>.Shared.Rent(length);
            var rows = MemoryMarshal.Cast<byte, Rgb24>(rented.AsSpan(0, length));
            image.CopyPixelDataTo(rows);
            pin = rented.AsMemory(0, length).Pin();
        }
        try
        {
            unsafe
            {
                using var vips = VipsImage.NewFromMemory((IntPtr)pin.Pointer, (ulong)length, w, h, 3, Enums.BandFormat.Uchar);
                return vips.JpegsaveBuffer(q: quality, optimizeCoding: false, interlace: false, trellisQuant: false,
                    overshootDeringing: false, optimizeScans: false, quantTable: 0,
                    subsampleMode: subsampling == ChromaSubsampling.Ratio420 ? Enums.ForeignSubsample.On : Enums.ForeignSubsample.Off,
                    keep: Enums.ForeignKeep.None);
            }
        }
        catch (VipsException e)
        {
            throw new InvalidOperationException($"libjpeg-turbo could not encode a {w}×{h} image at quality {quality}: {LastLine(e)}", e);
        }
        finally
        {
            pin.Dispose();
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>libvips' messages accumulate earlier calls' lines; the last line is this call's own.</summary>
    private static string LastLine(VipsException e) =>
        e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? e.Message;
}
