namespace TraceProbe.Images;

/// <summary>
/// Hand-written because no library reports it: whether the entropy-coded data of a baseline JPEG holds a marker that
/// only a header may hold (a table, a frame, a scan, an APPn). libjpeg stops the scan there and reads that segment as
/// a header when the image is finished; Pillow finishes the image (<c>jpeg_finish_decompress</c>) and refuses the
/// file when the segment is garbage ("broken data stream"), while libvips never reads past the last row and decodes
/// it. In a baseline file only stuffed bytes (FF 00), restart markers (FF D0–D7), fill bytes (FF FF) and the end of
/// the image (FF D9) may follow FF after the scan header.
/// </summary>
internal static class ScanMarkers
{
    /// <summary>The frame header's marker (SOF0–SOF15, C0–CF less DHT, JPG and DAC) before the first scan, or null.</summary>
    public static byte? FrameMarker(ReadOnlySpan<byte> file)
    {
        for (var i = 2; i + 3 < file.Length;)
        {
            // Bytes between segments are skipped up to the next FF, as libjpeg does (it warns "extraneous bytes").
            if (file[i] != 0xFF) { i++; continue; }
            var marker = file[i + 1];
            if (marker is 0xFF or 0x00) { i++; continue; }
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC) return marker;
            if (marker == 0xDA) return null;
            i += 2 + ((file[i + 2] << 8) | file[i + 3]);
        }
        return null;
    }

    /// <summary>Whether the frame is SOF0 or SOF1 (baseline or extended sequential, Huffman-coded).</summary>
    public static bool IsSequential(ReadOnlySpan<byte> file) => FrameMarker(file) is 0xC0 or 0xC1;

    /// <summary>The first such marker inside the scan, or null; also null for progressive files, whose scans are
    /// separated by table and scan headers legitimately.</summary>
    public static byte? HeaderMarkerInsideScan(ReadOnlySpan<byte> file)
    {
        if (!IsSequential(file)) return null;
        var scan = -1;
        for (var i = 2; i + 3 < file.Length;)
        {
            if (file[i] != 0xFF) { i++; continue; }
            var marker = file[i + 1];
            if (marker is 0xFF or 0x00) { i++; continue; }
            var length = (file[i + 2] << 8) | file[i + 3];
            if (marker == 0xDA) { scan = i + 2 + length; break; }
            i += 2 + length;
        }
        if (scan < 0) return null;
        for (var i = scan; i + 1 < file.Length; i++)
        {
            if (file[i] != 0xFF) continue;
            var next = file[i + 1];
            if (next == 0xD9) return null;
            if (next is 0x00 or 0xFF or >= 0xD0 and <= 0xD7) continue;
            return next;
        }
        return null;
    }
}
