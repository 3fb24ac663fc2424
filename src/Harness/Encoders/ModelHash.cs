using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace TraceProbe.Encoders;

/// <summary>SHA-256 of model files, computed once per file per process (they are tens to hundreds of MB).</summary>
public static class ModelHash
{
    private static readonly ConcurrentDictionary<string, string> Cache = new();

    public static string Sha256(string path) => Cache.GetOrAdd(Path.GetFullPath(path), p =>
    {
        using var stream = File.OpenRead(p);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    });
}
