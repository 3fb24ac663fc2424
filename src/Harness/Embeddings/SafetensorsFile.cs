using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Win32.SafeHandles;

namespace TraceProbe.Embeddings;

/// <summary>One tensor of a safetensors file: its dtype, shape and where its bytes lie in the file.</summary>
public sealed record SafetensorsTensor(string Name, string DType, long[] Shape, long FileOffset, long ByteLength)
{
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>A safetensors header: string metadata and the tensor directory (absolute file offsets).</summary>
public sealed record SafetensorsHeader(IReadOnlyDictionary<string, string> Metadata, IReadOnlyDictionary<string, SafetensorsTensor> Tensors, long HeaderBytes);

/// <summary>A tensor to write: name, dtype (F32, I64, I32, U8) and shape; its bytes are written afterwards.</summary>
public sealed record TensorLayout(string Name, string DType, params long[] Shape);

/// <summary>
/// The safetensors container: an 8-byte little-endian header length, a JSON header (tensors' dtype, shape and data
/// offsets, plus string <c>__metadata__</c>), then the tensors' bytes, contiguous. This is the one place that parses and
/// writes that header; <see cref="EmbeddingsFile"/> decides what the tensors mean.
/// Hand-written: no maintained .NET package for the format is available here, and the format is this small.
/// </summary>
public static class SafetensorsFile
{
    /// <summary>Python's <c>safetensors</c> refuses a header over this many bytes: no file is written with one.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Headers of files written before the limit was kept (per-item JSON metadata) are read up to this size.</summary>
    private const long MaxReadHeaderBytes = 1L << 30;

    public static int ElementSize(string dtype) => dtype switch
    {
        "F32" or "I32" => 4,
        "I64" => 8,
        "U8" or "BOOL" => 1,
        _ => throw new NotSupportedException($"dtype {dtype} is not one this program writes or reads."),
    };

    public static SafetensorsHeader ReadHeader(string path)
    {
        using var handle = OpenRead(path);
        return ReadHeader(handle, path);
    }

    public static SafeFileHandle OpenRead(string path)
    {
        try { return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot be read ({e.Message}).", e);
        }
    }

    public static SafetensorsHeader ReadHeader(SafeFileHandle handle, string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not.");
        var fileLength = RandomAccess.GetLength(handle);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (fileLength < 8) throw new InvalidDataException($"{path}: too short for a safetensors file.");
        ReadExactly(handle, lengthBytes, 0, path);
        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
        if (headerLength <= 0 || headerLength > MaxReadHeaderBytes || headerLength > fileLength - 8)
            throw new InvalidDataException($"{path}: header length {headerLength} is impossible for a {fileLength}-byte file.");
        var bytes = new byte[headerLength];
        ReadExactly(handle, bytes, 8, path);
        JsonObject header;
        try { header = JsonNode.Parse(bytes)?.AsObject() ?? throw new InvalidDataException($"{path}: empty header."); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: the safetensors header is not JSON ({e.Message}).", e); }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new Dictionary<string, SafetensorsTensor>(StringComparer.Ordinal);
        var dataStart = 8 + headerLength;
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (k, v) in node?.AsObject() ?? [])
                    metadata[k] = v?.GetValueKind() == JsonValueKind.String ? (string)v! : throw new InvalidDataException($"{path}: metadata '{k}' is not a string.");
                continue;
            }
            try
            {
                var t = node!.AsObject();
                var dtype = (string)t["dtype"]!;
                var shape = t["shape"]!.AsArray().Select(n => (long)n!).ToArray();
                var offsets = t["data_offsets"]!.AsArray().Select(n => (long)n!).ToArray();
                var tensor = new SafetensorsTensor(name, dtype, shape, dataStart + offsets[0], offsets[1] - offsets[0]);
                if (offsets.Length != 2 || tensor.ByteLength < 0 || (IsKnown(dtype) && tensor.ByteLength != tensor.Elements * ElementSize(dtype)))
                    throw new InvalidDataException($"{path}: tensor '{name}' of shape [{string.Join(",", shape)}] does not match its data offsets [{string.Join(",", offsets)}].");
                if (tensor.FileOffset + tensor.ByteLength > fileLength)
                    throw new InvalidDataException($"{path}: truncated: tensor '{name}' ends past the file's {fileLength} bytes.");
                tensors[name] = tensor;
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
            {
                throw new InvalidDataException($"{path}: tensor '{name}' has no valid dtype, shape and data_offsets.", e);
            }
        }
        return new SafetensorsHeader(metadata, tensors, headerLength);
    }

    private static bool IsKnown(string dtype) => dtype is "F32" or "I32" or "I64" or "U8" or "BOOL";

    /// <summary>A whole tensor as an array of <typeparamref name="T"/> (its dtype must have T's size).</summary>
    public static T[] ReadTensor<T>(SafeFileHandle handle, SafetensorsTensor tensor, string path) where T : unmanaged
    {
        if (ElementSize(tensor.DType) != Marshal.SizeOf<T>())
            throw new InvalidDataException($"{path}: tensor '{tensor.Name}' is {tensor.DType}, expected {typeof(T).Name}.");
        var values = new T[tensor.Elements];
        var size = Marshal.SizeOf<T>();
        for (long at = 0; at < values.LongLength; at += Block / size)
        {
            var count = (int)Math.Min(Block / size, values.LongLength - at);
            ReadExactly(handle, MemoryMarshal.AsBytes(values.AsSpan((int)at, count)), tensor.FileOffset + at * size, path);
        }
        return values;
    }

    /// <summary>Bytes moved per read or write call: a span of bytes cannot reach 2 GiB, and a tensor may be larger.</summary>
    internal const int Block = 1 << 30;

    /// <summary>Reads exactly <paramref name="destination"/>'s length at <paramref name="offset"/>, or names the file as truncated.</summary>
    public static void ReadExactly(SafeFileHandle handle, Span<byte> destination, long offset, string path)
    {
        while (destination.Length > 0)
        {
            var n = RandomAccess.Read(handle, destination, offset);
            if (n == 0) throw new InvalidDataException($"{path}: truncated (ends at byte {offset}).");
            destination = destination[n..];
            offset += n;
        }
    }

    /// <summary>
    /// Starts a file with these tensors, in this order: the header is written and the file sized; the caller writes
    /// each tensor's bytes (in any order, from any thread) and commits, which publishes the file atomically.
    /// </summary>
    public static SafetensorsWriter Create(string path, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<TensorLayout> tensors) =>
        new(path, metadata, tensors);
}

/// <summary>A safetensors file being written: header first, tensor bytes at their offsets, then an atomic rename.</summary>
public sealed class SafetensorsWriter : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly string _path, _tmp;
    private readonly Dictionary<string, (long Offset, long Length)> _tensors = new(StringComparer.Ordinal);
    private bool _committed;

    internal SafetensorsWriter(string path, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<TensorLayout> tensors)
    {
        _path = path;
        var meta = new JsonObject();
        foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) meta[k] = v;
        var header = new JsonObject { ["__metadata__"] = meta };
        long offset = 0;
        var placed = new List<(string Name, long Start, long Length)>();
        foreach (var t in tensors)
        {
            var length = t.Shape.Aggregate(1L, (a, b) => a * b) * SafetensorsFile.ElementSize(t.DType);
            header[t.Name] = new JsonObject
            {
                ["dtype"] = t.DType,
                ["shape"] = new JsonArray(t.Shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + length),
            };
            placed.Add((t.Name, offset, length));
            offset += length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        // Spaces pad the header so that the data start 8-byte aligned, as the format recommends.
        var padded = (json.Length + 7) / 8 * 8;
        if (padded > SafetensorsFile.MaxHeaderBytes)
            throw new InvalidDataException($"{path}: the header would be {padded:N0} bytes; Python's safetensors refuses more than {SafetensorsFile.MaxHeaderBytes:N0}. Per-item values belong in tensors, not in the metadata.");
        var dataStart = 8L + padded;
        foreach (var (name, start, length) in placed) _tensors[name] = (dataStart + start, length);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _tmp = path + ".tmp-" + Environment.ProcessId;
        _handle = File.OpenHandle(_tmp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, FileOptions.None, preallocationSize: 0);
        var head = new byte[dataStart];
        BinaryPrimitives.WriteUInt64LittleEndian(head, (ulong)padded);
        json.CopyTo(head, 8);
        head.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        RandomAccess.SetLength(_handle, dataStart + offset);
        RandomAccess.Write(_handle, head, 0);
    }

    /// <summary>Writes bytes of tensor <paramref name="name"/> starting <paramref name="byteOffset"/> bytes into it.</summary>
    public void Write(string name, long byteOffset, ReadOnlySpan<byte> bytes)
    {
        var (start, length) = _tensors[name];
        if (byteOffset < 0 || byteOffset + bytes.Length > length)
            throw new ArgumentOutOfRangeException(nameof(byteOffset), $"{bytes.Length} bytes at {byteOffset} overrun tensor '{name}' ({length} bytes).");
        RandomAccess.Write(_handle, bytes, start + byteOffset);
    }

    public void Write<T>(string name, ReadOnlySpan<T> values, long elementOffset = 0) where T : unmanaged
    {
        var size = Marshal.SizeOf<T>();
        for (var at = 0; at < values.Length; at += SafetensorsFile.Block / size)
        {
            var part = values.Slice(at, Math.Min(SafetensorsFile.Block / size, values.Length - at));
            Write(name, (elementOffset + at) * size, MemoryMarshal.AsBytes(part));
        }
    }

    /// <summary>Flushes and renames into place: a reader (or a resumed run) sees the whole file or none of it.</summary>
    public void Commit()
    {
        RandomAccess.FlushToDisk(_handle);
        _handle.Dispose();
        File.Move(_tmp, _path, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (_committed) return;
        _handle.Dispose();
        try { File.Delete(_tmp); } catch (IOException) { }
    }
}
