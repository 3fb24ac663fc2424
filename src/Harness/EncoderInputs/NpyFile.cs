using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace TraceProbe.EncoderInputs;

/// <summary>
/// NumPy's .npy format (version 1.0) for little-endian float32 arrays in C order: what <c>numpy.save</c> writes and
/// <c>numpy.load</c> reads. Hand-written because the format is a 10-byte preamble plus a Python-dict header, and no
/// maintained .NET package is needed for that.
/// </summary>
public static partial class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Starts a file of <paramref name="shape"/> and returns the stream, positioned where the data begins.</summary>
    public static FileStream Create(string path, IReadOnlyList<int> shape)
    {
        var dims = shape.Count == 1 ? $"{shape[0]}," : string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        // Magic, version, header length, header padded with spaces and ended by '\n' to a multiple of 64 bytes.
        var total = (10 + header.Length + 1 + 63) / 64 * 64;
        header = header.PadRight(total - 10 - 1) + "\n";
        var stream = File.Create(path);
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
        return stream;
    }

    /// <summary>Appends float32 values (little-endian) to a stream started by <see cref="Create"/>.</summary>
    public static void Append(Stream stream, ReadOnlySpan<float> values)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException(".npy writing assumes a little-endian machine.");
        stream.Write(MemoryMarshal.AsBytes(values));
    }

    public static void Write(string path, ReadOnlySpan<float> values, IReadOnlyList<int> shape)
    {
        var count = shape.Aggregate(1L, (a, d) => a * d);
        if (count != values.Length) throw new ArgumentException($"{values.Length} values do not fill shape ({string.Join(", ", shape)}).");
        using var stream = Create(path, shape);
        Append(stream, values);
    }

    /// <summary>Reads a little-endian float32, C-order .npy file.</summary>
    /// <exception cref="InvalidDataException">Not a .npy file, or another dtype or order.</exception>
    public static (float[] Values, int[] Shape) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidDataException($"'{path}' is not a .npy file.");
        int headerLength, start;
        if (bytes[6] == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); start = 10; }
        else { headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)); start = 12; }
        var header = Encoding.ASCII.GetString(bytes, start, headerLength);
        if (!header.Contains("'descr': '<f4'") || !header.Contains("'fortran_order': False"))
            throw new InvalidDataException($"'{path}': only little-endian float32 in C order is read here (header {header.Trim()}).");
        var shape = ShapeOf().Match(header) is { Success: true } m
            ? m.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray()
            : throw new InvalidDataException($"'{path}': no shape in header {header.Trim()}.");
        var values = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(start + headerLength)).ToArray();
        if (values.Length != shape.Aggregate(1L, (a, d) => a * d))
            throw new InvalidDataException($"'{path}': {values.Length} values for shape ({string.Join(", ", shape)}).");
        return (values, shape);
    }

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapeOf();
}
