using System.Security.Cryptography;
using System.Text;
using TraceProbe.Images;

namespace TraceProbe.Datasets;

/// <summary>
/// What a run's photos were, in two numbers a reader can compare across machines: how many files, and a hash of their
/// names and sizes (not their bytes: reading 150 GB of ImageNet to fingerprint it would cost as much as the run).
/// </summary>
public readonly record struct DatasetFingerprint(int Files, string Sha256)
{
    /// <summary>SHA-256 over "key\tsize\n" for every photo, in key order (ordinal); a missing file counts as size -1.</summary>
    public static DatasetFingerprint Of(IReadOnlyList<Photo> photos)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var photo in photos.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var file = new FileInfo(photo.Path);
            hash.AppendData(Encoding.UTF8.GetBytes($"{photo.Key}\t{(file.Exists ? file.Length : -1)}\n"));
        }
        return new DatasetFingerprint(photos.Count, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    public override string ToString() => $"{Files} files, sha256 {Sha256}";
}
