using System.Collections;
using System.Text;

namespace TraceProbe.Embeddings;

/// <summary>
/// Strings stored as an embeddings file stores them: UTF-8 bytes concatenated, and N + 1 offsets. Each string is
/// decoded when asked for, so a million photo names cost their bytes, not a million .NET strings.
/// </summary>
public sealed class Utf8Strings : IReadOnlyList<string>
{
    public Utf8Strings(byte[] bytes, long[] offsets)
    {
        if (offsets.Length == 0 || offsets[0] != 0 || offsets[^1] != bytes.Length)
            throw new InvalidDataException($"string offsets [{offsets.FirstOrDefault()}…{offsets.LastOrDefault()}] do not span {bytes.Length} bytes.");
        for (var i = 1; i < offsets.Length; i++)
            if (offsets[i] < offsets[i - 1]) throw new InvalidDataException($"string offsets decrease at {i}.");
        Bytes = bytes;
        Offsets = offsets;
    }

    public byte[] Bytes { get; }
    public long[] Offsets { get; }
    public int Count => Offsets.Length - 1;
    public string this[int index] => Encoding.UTF8.GetString(Bytes, (int)Offsets[index], (int)(Offsets[index + 1] - Offsets[index]));

    public static Utf8Strings Encode(IReadOnlyList<string> values)
    {
        var offsets = new long[values.Count + 1];
        var buffer = new MemoryStream();
        for (var i = 0; i < values.Count; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(values[i]);
            buffer.Write(bytes);
            offsets[i + 1] = buffer.Length;
        }
        return new Utf8Strings(buffer.ToArray(), offsets);
    }

    public IEnumerator<string> GetEnumerator() { for (var i = 0; i < Count; i++) yield return this[i]; }
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Strings of a file's byte and offset tensors, read from the file when asked for (item keys: rarely read).</summary>
internal sealed class FileStrings(string path, SafetensorsTensor offsets, SafetensorsTensor bytes) : IReadOnlyList<string>
{
    public int Count => (int)(offsets.Elements - 1);

    public string this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            using var handle = SafetensorsFile.OpenRead(path);
            Span<long> range = stackalloc long[2];
            SafetensorsFile.ReadExactly(handle, System.Runtime.InteropServices.MemoryMarshal.AsBytes(range), offsets.FileOffset + 8L * index, path);
            var text = new byte[range[1] - range[0]];
            SafetensorsFile.ReadExactly(handle, text, bytes.FileOffset + range[0], path);
            return Encoding.UTF8.GetString(text);
        }
    }

    /// <summary>All the strings at once (two reads), for a writer that copies them.</summary>
    public Utf8Strings Load()
    {
        using var handle = SafetensorsFile.OpenRead(path);
        return new Utf8Strings(SafetensorsFile.ReadTensor<byte>(handle, bytes, path), SafetensorsFile.ReadTensor<long>(handle, offsets, path));
    }

    public IEnumerator<string> GetEnumerator() { for (var i = 0; i < Count; i++) yield return this[i]; }
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>The keys of a file that stores none: photo#processing, made when asked for (8 million strings would take a gigabyte).</summary>
internal sealed class DerivedKeys(CodedColumn photos, CodedColumn processing) : IReadOnlyList<string>
{
    public int Count => processing.Count;
    public string this[int index] => $"{photos[index]}#{processing[index]}";
    public IEnumerator<string> GetEnumerator() { for (var i = 0; i < Count; i++) yield return this[i]; }
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
