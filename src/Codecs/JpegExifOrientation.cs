using System.Buffers.Binary;

namespace TraceProbe.Images;

/// <summary>
/// The EXIF orientation tag as libvips reports it for a JPEG (it reads the tag from IFD0 of the APP1 "Exif" segment
/// with libexif), for the plain case only: the tag in IFD0 as one SHORT from 1 to 8, or no such tag anywhere in the
/// EXIF data (orientation 1). Anything else (a value out of range, another type, the tag in another IFD, damaged
/// offsets) is left to libvips by refusing, so the reported value cannot differ from it. Hand-written; a few lines
/// where a full EXIF reader would cost more than the decode.
/// </summary>
internal static class JpegExifOrientation
{
    private const int OrientationTag = 0x0112, Short = 3;

    /// <param name="app1">The APP1 segment's data after its length field, starting "Exif\0\0".</param>
    public static bool TryRead(ReadOnlySpan<byte> app1, out int orientation)
    {
        orientation = 1;
        if (app1.Length < 6 + 8 || !app1[..6].SequenceEqual("Exif\0\0"u8)) return false;
        var tiff = app1[6..];
        bool little;
        if (tiff[0] == 'I' && tiff[1] == 'I') little = true;
        else if (tiff[0] == 'M' && tiff[1] == 'M') little = false;
        else return false;
        if (U16(tiff, 2, little) != 42) return false;
        var ifd = U32(tiff, 4, little);
        if (ifd < 8 || ifd > tiff.Length - 2) return false;
        var entries = U16(tiff, (int)ifd, little);
        if (ifd + 2 + 12L * entries > tiff.Length) return false;
        for (var i = 0; i < entries; i++)
        {
            var at = (int)ifd + 2 + 12 * i;
            if (U16(tiff, at, little) != OrientationTag) continue;
            if (U16(tiff, at + 2, little) != Short || U32(tiff, at + 4, little) != 1) return false;
            orientation = U16(tiff, at + 8, little);
            return orientation is >= 1 and <= 8;
        }
        // Not in IFD0: refuse if the tag's bytes (tag and SHORT type, in the file's byte order) appear anywhere else,
        // since libexif might find it in another IFD.
        ReadOnlySpan<byte> pattern = little ? [0x12, 0x01, 0x03, 0x00] : [0x01, 0x12, 0x00, 0x03];
        return tiff.IndexOf(pattern) < 0;
    }

    private static int U16(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt16BigEndian(b[at..]);

    private static uint U32(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt32BigEndian(b[at..]);
}
