using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TraceProbe.Embeddings;

/// <summary>
/// Embeddings as a safetensors file: tensor "embeddings" float32 [N, D], plus string metadata holding the item
/// keys and processing ids (JSON arrays), so that Python's safetensors or plain numpy can read them.
/// Hand-written: the format is an 8-byte header length, a JSON header and raw little-endian data, and no
/// maintained .NET package for it is available here.
/// </summary>
public sealed record EmbeddingSet(float[] Embeddings, int Dim, IReadOnlyList<string> Keys, IReadOnlyList<string> Processing,
    IReadOnlyDictionary<string, string> Metadata)
{
    public int Count => Keys.Count;

    public const string TensorName = "embeddings";
}

public static class SafetensorsFile
{
    public static void Write(string path, EmbeddingSet set)
    {
        if (set.Embeddings.Length != (long)set.Count * set.Dim)
            throw new ArgumentException($"{set.Embeddings.Length} floats do not make {set.Count} × {set.Dim} embeddings.", nameof(set));
        if (set.Processing.Count != set.Count)
            throw new ArgumentException("One processing id per item is required.", nameof(set));
        var metadata = new JsonObject();
        foreach (var (k, v) in set.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) metadata[k] = v;
        metadata["keys"] = JsonSerializer.Serialize(set.Keys);
        metadata["processing"] = JsonSerializer.Serialize(set.Processing);
        metadata["dim"] = set.Dim.ToString();
        var dataBytes = (long)set.Embeddings.Length * sizeof(float);
        var header = new JsonObject
        {
            ["__metadata__"] = metadata,
            [EmbeddingSet.TensorName] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(set.Count, set.Dim),
                ["data_offsets"] = new JsonArray(0L, dataBytes),
            },
        };
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        // Pad the header with spaces so that the data starts 8-byte aligned, as the format recommends.
        var padded = (json.Length + 7) / 8 * 8;

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = path + ".tmp-" + Environment.ProcessId;
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            WriteFloats(stream, set.Embeddings);
            stream.Flush(flushToDisk: true);
        }
        // Atomic publish: a reader (or a resumed run) sees the whole file or none of it.
        File.Move(tmp, path, overwrite: true);
    }

    public static EmbeddingSet Read(string path) => Read(path, withData: true);

    /// <summary>
    /// Keys, processing ids, dim and metadata without the tensor data (its <see cref="EmbeddingSet.Embeddings"/> is
    /// empty): for readers that stream the rows themselves, so that memory does not grow with the file.
    /// </summary>
    public static EmbeddingSet ReadHeader(string path) => Read(path, withData: false);

    private static EmbeddingSet Read(string path, bool withData)
    {
        using var stream = File.OpenRead(path);
        Span<byte> length = stackalloc byte[8];
        if (stream.Read(length) != 8) throw new InvalidDataException($"{path}: too short for a safetensors file.");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(length);
        if (headerLength > 1UL << 30 || (long)headerLength > stream.Length - 8)
            throw new InvalidDataException($"{path}: header length {headerLength} is impossible for a {stream.Length}-byte file.");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var header = JsonNode.Parse(headerBytes)?.AsObject() ?? throw new InvalidDataException($"{path}: empty header.");
        var tensor = header[EmbeddingSet.TensorName]?.AsObject()
            ?? throw new InvalidDataException($"{path}: no '{EmbeddingSet.TensorName}' tensor.");
        if ((string?)tensor["dtype"] != "F32") throw new InvalidDataException($"{path}: dtype {(string?)tensor["dtype"]}, expected F32.");
        var shape = tensor["shape"]!.AsArray().Select(n => (int)n!).ToArray();
        var offsets = tensor["data_offsets"]!.AsArray().Select(n => (long)n!).ToArray();
        if (shape.Length != 2 || offsets[1] - offsets[0] != (long)shape[0] * shape[1] * sizeof(float))
            throw new InvalidDataException($"{path}: shape [{string.Join(",", shape)}] does not match data offsets [{string.Join(",", offsets)}].");
        var metadata = header["__metadata__"]?.AsObject().ToDictionary(kv => kv.Key, kv => (string)kv.Value!) ?? [];
        var keys = metadata.TryGetValue("keys", out var k) ? JsonSerializer.Deserialize<string[]>(k)! : [];
        var processing = metadata.TryGetValue("processing", out var p) ? JsonSerializer.Deserialize<string[]>(p)! : [];
        if (keys.Length != shape[0] || processing.Length != shape[0])
            throw new InvalidDataException($"{path}: {keys.Length} keys and {processing.Length} processing ids for {shape[0]} embeddings.");
        if (8 + (long)headerLength + offsets[1] > stream.Length) throw new InvalidDataException($"{path}: truncated tensor data.");
        var data = withData ? new float[(long)shape[0] * shape[1]] : [];
        stream.Position = 8 + (long)headerLength + offsets[0];
        if (withData) ReadFloats(stream, data, path);
        metadata.Remove("keys");
        metadata.Remove("processing");
        metadata.Remove("dim");
        return new EmbeddingSet(data, shape[1], keys, processing, metadata);
    }

    private static void WriteFloats(Stream stream, float[] values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
            return;
        }
        var buffer = new byte[4];
        foreach (var v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buffer, v);
            stream.Write(buffer);
        }
    }

    private static void ReadFloats(Stream stream, float[] values, string path)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
        try
        {
            stream.ReadExactly(bytes);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{path}: truncated tensor data.");
        }
        if (!BitConverter.IsLittleEndian)
            for (var i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
    }
}
