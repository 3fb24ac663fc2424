using System.Collections.Concurrent;
using System.Security.Cryptography;
using Onnx;

namespace TraceProbe.Encoders;

/// <summary>
/// SHA-256 of a model: the bytes of the .onnx file followed by those of each external-data file its
/// initializers name (sorted by name, each once), so that replacing the weights of a model over 2 GB changes
/// the digest. Without external data it is the file's plain sha256sum. Computed once per file per process.
/// </summary>
public static class ModelHash
{
    private static readonly ConcurrentDictionary<string, string> Cache = new();

    public static string Sha256(string path) => Cache.GetOrAdd(Path.GetFullPath(path), p =>
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (var file in (string[])[p, .. ExternalDataFiles(p)])
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read);
            int read;
            while ((read = stream.Read(buffer)) > 0) sha.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    });

    /// <summary>What the digest covers, for messages: the file, plus its external data when it has some.</summary>
    public static string Describe(string path)
    {
        var external = ExternalDataFiles(path);
        return external.Count == 0 ? path : $"{path} with its external data ({string.Join(", ", external.Select(Path.GetFileName))})";
    }

    /// <summary>The external-data files the graph's initializers name, as full paths beside the model, sorted.</summary>
    public static IReadOnlyList<string> ExternalDataFiles(string path)
    {
        ModelProto model;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            model = ModelProto.Parser.ParseFrom(stream);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return model.Graph.Initializer
            .Where(t => t.DataLocation == TensorProto.Types.DataLocation.External)
            .SelectMany(t => t.ExternalData.Where(e => e.Key == "location").Select(e => e.Value))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(location => Path.Combine(folder, location))
            .ToList();
    }
}
