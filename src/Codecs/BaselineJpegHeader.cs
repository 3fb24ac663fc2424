using System.Buffers.Binary;

namespace TraceProbe.Images;

/// <summary>One frame component and the tables the scan gives it.</summary>
internal sealed class JpegComponent
{
    public int Id, H, V;
    public int QuantIndex;
    public JpegHuffmanTable? Dc, Ac;
}

/// <summary>
/// The segments before the scan of a JPEG that <see cref="BaselineJpegDecoder"/> handles, read as jdmarker.c reads
/// them: SOF0/SOF1 at 8 bits with 1 component or 3 YCbCr components, DQT (8- and 16-bit), DHT, DRI, APPn and COM,
/// then one SOS that holds every component in frame order. Hand-written. <see cref="TryRead"/> refuses anything else and
/// anything libjpeg would warn about or reject in the header (bytes between segments, a bad length, a JFIF major
/// version other than 1, an Adobe transform other than 1 for colour, an RGB colour space, table indexes out of range),
/// so the libvips path keeps those files.
/// </summary>
internal sealed class BaselineJpegHeader
{
    public int Width, Height;
    public JpegComponent[] Components = [];
    public int RestartInterval;
    public int Orientation = 1;

    /// <summary>Quantisation tables in zigzag order (as DQT stores them), null where not defined.</summary>
    public readonly int[]?[] Quant = new int[]?[4];

    /// <summary>Offset of the first entropy-coded byte.</summary>
    public int ScanStart;

    public static BaselineJpegHeader? TryRead(ReadOnlySpan<byte> file)
    {
        var header = new BaselineJpegHeader();
        var dc = new JpegHuffmanTable?[4];
        var ac = new JpegHuffmanTable?[4];
        bool sawFrame = false, sawJfif = false, sawAdobe = false, sawExif = false;
        var adobeTransform = -1;
        if (file.Length < 4 || file[0] != 0xFF || file[1] != 0xD8) return null;
        var i = 2;
        while (true)
        {
            // jdmarker.c next_marker: fill bytes (FF FF) are allowed, anything else before a marker is a warning.
            if (i + 1 >= file.Length || file[i] != 0xFF) return null;
            while (i + 1 < file.Length && file[i + 1] == 0xFF) i++;
            if (i + 3 >= file.Length) return null;
            var marker = file[i + 1];
            var length = BinaryPrimitives.ReadUInt16BigEndian(file[(i + 2)..]);
            if (length < 2 || i + 2 + length > file.Length) return null;
            var data = file.Slice(i + 4, length - 2);
            i += 2 + length;
            switch (marker)
            {
                case 0xC0 or 0xC1:
                    if (sawFrame || !header.ReadFrame(data)) return null;
                    sawFrame = true;
                    break;
                case 0xC4:
                    if (!ReadHuffman(data, dc, ac)) return null;
                    break;
                case 0xDB:
                    if (!header.ReadQuant(data)) return null;
                    break;
                case 0xDD:
                    if (data.Length != 2) return null;
                    header.RestartInterval = BinaryPrimitives.ReadUInt16BigEndian(data);
                    break;
                case 0xE0:
                    // jdmarker.c examine_app0 looks at the first 14 bytes.
                    if (data.Length >= 14 && data[..5].SequenceEqual("JFIF\0"u8))
                    {
                        if (data[5] != 1) return null;
                        sawJfif = true;
                    }
                    break;
                case 0xE1:
                    if (data.Length >= 4 && data[..4].SequenceEqual("Exif"u8))
                    {
                        if (sawExif || !JpegExifOrientation.TryRead(data, out header.Orientation)) return null;
                        sawExif = true;
                    }
                    break;
                case 0xEE:
                    if (data.Length >= 12 && data[..5].SequenceEqual("Adobe"u8))
                    {
                        sawAdobe = true;
                        adobeTransform = data[11];
                    }
                    break;
                case >= 0xE2 and <= 0xEF or 0xFE:
                    break;
                case 0xDA:
                    if (!sawFrame || !header.ReadScan(data, dc, ac)) return null;
                    header.ScanStart = i;
                    return header.IsYCbCrOrGrey(sawJfif, sawAdobe, adobeTransform) ? header : null;
                default:
                    return null;
            }
        }
    }

    private bool ReadFrame(ReadOnlySpan<byte> d)
    {
        if (d.Length < 6 || d[0] != 8) return false;
        Height = BinaryPrimitives.ReadUInt16BigEndian(d[1..]);
        Width = BinaryPrimitives.ReadUInt16BigEndian(d[3..]);
        int n = d[5];
        // Height 0 is defined later by DNL; libjpeg's JPEG_MAX_DIMENSION is 65500.
        if (Height == 0 || Width == 0 || Height > 65500 || Width > 65500) return false;
        if (n is not (1 or 3) || d.Length != 6 + 3 * n) return false;
        Components = new JpegComponent[n];
        for (var c = 0; c < n; c++)
        {
            var at = 6 + 3 * c;
            var component = new JpegComponent { Id = d[at], H = d[at + 1] >> 4, V = d[at + 1] & 15, QuantIndex = d[at + 2] };
            if (component.H is < 1 or > 4 || component.V is < 1 or > 4 || component.QuantIndex > 3) return false;
            for (var k = 0; k < c; k++)
                if (Components[k].Id == component.Id) return false;
            Components[c] = component;
        }
        return true;
    }

    private bool ReadQuant(ReadOnlySpan<byte> d)
    {
        while (d.Length > 0)
        {
            int precision = d[0] >> 4, index = d[0] & 15;
            var size = precision == 0 ? 64 : 128;
            if (precision > 1 || index > 3 || d.Length < 1 + size) return false;
            var table = new int[64];
            for (var k = 0; k < 64; k++)
                table[k] = precision == 0 ? d[1 + k] : BinaryPrimitives.ReadUInt16BigEndian(d[(1 + 2 * k)..]);
            Quant[index] = table;
            d = d[(1 + size)..];
        }
        return true;
    }

    private static bool ReadHuffman(ReadOnlySpan<byte> d, JpegHuffmanTable?[] dc, JpegHuffmanTable?[] ac)
    {
        while (d.Length > 0)
        {
            if (d.Length < 17) return false;
            int cls = d[0] >> 4, index = d[0] & 15;
            if (cls > 1 || index > 3) return false;
            var table = new JpegHuffmanTable();
            var count = 0;
            for (var l = 1; l <= 16; l++) count += table.Counts[l] = d[l];
            if (count > 256 || d.Length < 17 + count) return false;
            d.Slice(17, count).CopyTo(table.Symbols);
            (cls == 0 ? dc : ac)[index] = table;
            d = d[(17 + count)..];
        }
        return true;
    }

    private bool ReadScan(ReadOnlySpan<byte> d, JpegHuffmanTable?[] dc, JpegHuffmanTable?[] ac)
    {
        var n = Components.Length;
        if (d.Length != 4 + 2 * n || d[0] != n) return false;
        for (var c = 0; c < n; c++)
        {
            var component = Components[c];
            if (d[1 + 2 * c] != component.Id) return false;
            int td = d[2 + 2 * c] >> 4, ta = d[2 + 2 * c] & 15;
            if (td > 3 || ta > 3 || dc[td] is null || ac[ta] is null || Quant[component.QuantIndex] is null) return false;
            component.Dc = dc[td];
            component.Ac = ac[ta];
        }
        // Sequential: spectral selection 0–63, no successive approximation (else libjpeg warns JWRN_NOT_SEQUENTIAL).
        var at = 1 + 2 * n;
        if (d[at] != 0 || d[at + 1] != 63 || d[at + 2] != 0) return false;
        // Derived at the scan, as libjpeg does, each table once even where components share it.
        foreach (var table in Components.Select(c => c.Dc!).Distinct())
            if (!table.Derive(isDc: true)) return false;
        foreach (var table in Components.Select(c => c.Ac!).Distinct())
            if (!table.Derive(isDc: false)) return false;
        return true;
    }

    /// <summary>jdapimin.c default_decompress_parms: three components are YCbCr after a JFIF marker, else as an
    /// Adobe marker's transform says (0 RGB, 1 YCbCr, others a warning), else unless their ids spell "RGB".</summary>
    private bool IsYCbCrOrGrey(bool sawJfif, bool sawAdobe, int adobeTransform)
    {
        if (Components.Length == 1) return true;
        if (sawJfif) return true;
        if (sawAdobe) return adobeTransform == 1;
        return !(Components[0].Id == 82 && Components[1].Id == 71 && Components[2].Id == 66);
    }
}
