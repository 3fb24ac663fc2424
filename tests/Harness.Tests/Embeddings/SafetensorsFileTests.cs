using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using TraceProbe.Embeddings;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Embeddings;

public sealed class SafetensorsFileTests
{
    private static EmbeddingSet Sample()
    {
        var values = new float[3 * 4];
        for (var i = 0; i < values.Length; i++) values[i] = i * 0.25f - 1;
        return new EmbeddingSet(values, 4, ["a.jpg#crop0", "a.jpg#crop0", "b.jpg#crop1"], ["JPEG75_420", "JPEG95_444", "JPEG85_420"],
            new Dictionary<string, string> { ["encoder"] = "resnet18" });
    }

    [Fact]
    public void Round_trips_values_keys_processing_and_metadata()
    {
        var path = Path.Combine(TestData.TempFolder("st"), "e.safetensors");
        EmbeddingsFile.Write(path, Sample());
        var read = EmbeddingsFile.Read(path).Set;
        Assert.Equal(Sample().Embeddings, read.Embeddings);
        Assert.Equal(Sample().Keys, read.Keys);
        Assert.Equal(Sample().Processing, read.Processing);
        Assert.Equal("resnet18", read.Metadata["encoder"]);
    }

    [Fact]
    public void The_layout_is_plain_safetensors_readable_without_our_code()
    {
        var path = Path.Combine(TestData.TempFolder("st"), "e.safetensors");
        EmbeddingsFile.Write(path, Sample());
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + headerLength) % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var tensor = header.RootElement.GetProperty("embeddings");
        Assert.Equal("F32", tensor.GetProperty("dtype").GetString());
        Assert.Equal([3, 4], tensor.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var offsets = tensor.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(48, offsets[1] - offsets[0]);
        var third = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + headerLength + offsets[0] + 2 * 4));
        Assert.Equal(-0.5f, third);
        // Per-item values are integer tensors with their vocabularies in the header, not JSON arrays of every item.
        var metadata = header.RootElement.GetProperty("__metadata__");
        Assert.Equal(EmbeddingsFile.FormatId, metadata.GetProperty("format").GetString());
        Assert.False(metadata.TryGetProperty("keys", out _));
        var names = JsonSerializer.Deserialize<string[]>(metadata.GetProperty("processing_names").GetString()!)!;
        var processing = header.RootElement.GetProperty("processing");
        Assert.Equal("I32", processing.GetProperty("dtype").GetString());
        var codeAt = 8 + headerLength + processing.GetProperty("data_offsets")[0].GetInt32();
        Assert.Equal(Sample().Processing, Enumerable.Range(0, 3).Select(i => names[BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(codeAt + 4 * i))]));
    }

    [Fact]
    public void Python_reads_it_with_the_standard_library_as_safetensors_specifies()
    {
        var python = new[] { "/usr/bin/python3", "python3" }.FirstOrDefault(p => p.Contains('/') ? File.Exists(p) : true)!;
        var path = Path.Combine(TestData.TempFolder("st"), "e.safetensors");
        EmbeddingsFile.Write(path, Sample());
        const string script = """
            import json, struct, sys
            data = open(sys.argv[1], 'rb').read()
            n = struct.unpack('<Q', data[:8])[0]
            header = json.loads(data[8:8 + n])
            t = header['embeddings']
            begin, end = t['data_offsets']
            values = struct.unpack('<%df' % ((end - begin) // 4), data[8 + n + begin:8 + n + end])
            def tensor(name, fmt):
                begin, end = header[name]['data_offsets']
                size = struct.calcsize(fmt)
                return struct.unpack('<%d%s' % ((end - begin) // size, fmt), data[8 + n + begin:8 + n + end])
            offsets = tensor('key_offsets', 'q')
            text = bytes(tensor('key_bytes', 'B'))
            print(t['shape'][0], t['shape'][1], round(sum(values), 4), text[offsets[2]:offsets[3]].decode())
            """;
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(path);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, stderr);
        Assert.Equal($"3 4 {Sample().Embeddings.Sum():0.0} b.jpg#crop1", stdout.Trim());
    }

    [Fact]
    public void A_truncated_file_is_reported_as_such()
    {
        var path = Path.Combine(TestData.TempFolder("st"), "e.safetensors");
        EmbeddingsFile.Write(path, Sample());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        var error = Assert.Throws<InvalidDataException>(() => EmbeddingsFile.Read(path));
        Assert.Contains(path, error.Message);
    }
}
