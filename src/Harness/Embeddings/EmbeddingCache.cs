using System.Security.Cryptography;
using System.Text;

namespace TraceProbe.Embeddings;

/// <summary>
/// Content-addressed store of embedding chunks: the file name is the SHA-256 of everything that decides the
/// chunk's embeddings (encoder, model hash, recipe, items, photo sizes). Entries are written atomically, so a
/// killed run leaves whole entries or none, and a rerun recomputes only what is missing.
/// </summary>
public sealed class EmbeddingCache(string folder)
{
    public string Folder { get; } = folder;

    public string PathOf(string key) => Path.Combine(Folder, key[..2], key + ".safetensors");

    public bool TryRead(string key, out EmbeddingSet? set) => TryRead(key, withRows: true, out set);

    /// <summary>An entry's items without its rows (<c>Embeddings</c> empty): what a merge lays out before it copies rows.</summary>
    public bool TryReadItems(string key, out EmbeddingSet? set) => TryRead(key, withRows: false, out set);

    private bool TryRead(string key, bool withRows, out EmbeddingSet? set)
    {
        var path = PathOf(key);
        set = null;
        if (!File.Exists(path)) return false;
        try
        {
            set = (withRows ? EmbeddingsFile.Read(path) : EmbeddingsFile.ReadHeader(path)).Set;
            return true;
        }
        catch (InvalidDataException)
        {
            // A damaged entry (disk trouble; never a partial write, those are renamed into place) is recomputed.
            return false;
        }
    }

    public void Write(string key, EmbeddingSet set) => EmbeddingsFile.Write(PathOf(key), set);

    public static string Key(IEnumerable<string> parts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in parts)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(part));
            sha.AppendData([0]);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
