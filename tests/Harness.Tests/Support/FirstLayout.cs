using System.Text.Json;
using TraceProbe.Embeddings;

namespace TraceProbe.Tests.Support;

/// <summary>
/// Writes an embeddings file of the first layout, as the program wrote them until the second: only the `embeddings`
/// tensor, with keys, processing ids and the other per-item values as JSON arrays in the header's metadata.
/// </summary>
public static class FirstLayout
{
    public static void Write(string path, float[] embeddings, int dim, IReadOnlyList<string> keys, IReadOnlyList<string> processing,
        IReadOnlyDictionary<string, string> metadata)
    {
        var meta = new Dictionary<string, string>(metadata)
        {
            ["keys"] = JsonSerializer.Serialize(keys),
            ["processing"] = JsonSerializer.Serialize(processing),
            ["dim"] = dim.ToString(),
        };
        using var file = SafetensorsFile.Create(path, meta, [new TensorLayout(EmbeddingSet.TensorName, "F32", keys.Count, dim)]);
        file.Write<float>(EmbeddingSet.TensorName, embeddings);
        file.Commit();
    }
}
