using System.Security.Cryptography;

namespace TraceProbe.Embeddings;

/// <summary>
/// What an embeddings file was, for a summary made from it (probe, knn) as the dataset's fingerprint is for a run: its
/// size and a hash of its safetensors header (encoder, task, layout, vocabularies, every tensor's shape and place), not
/// of its rows: hashing ImageNet's file would cost a read of tens of gigabytes.
/// </summary>
public readonly record struct EmbeddingsFingerprint(long Bytes, string HeaderSha256)
{
    /// <summary>The file's length, and SHA-256 of the header's JSON (the bytes after the 8-byte length).</summary>
    public static EmbeddingsFingerprint Of(string path)
    {
        using var handle = SafetensorsFile.OpenRead(path);
        var header = SafetensorsFile.ReadHeader(handle, path);
        var bytes = new byte[header.HeaderBytes];
        SafetensorsFile.ReadExactly(handle, bytes, 8, path);
        return new EmbeddingsFingerprint(RandomAccess.GetLength(handle), Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }
}
