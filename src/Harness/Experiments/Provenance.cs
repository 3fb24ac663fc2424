using TraceProbe.Datasets;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Results;

namespace TraceProbe.Experiments;

/// <summary>Completes a summary's manifest with what only the suite knows: the registry compiled in and the dataset (or embeddings file) read.</summary>
public static class Provenance
{
    public static Summary Stamp(Summary summary, Dataset? dataset = null, DatasetFingerprint? fingerprint = null) => summary with
    {
        Manifest = (summary.Manifest ?? RunManifest.Current()) with
        {
            RegistrySha256 = EncoderRegistry.Sha256,
            Dataset = dataset is null ? null : Describe(dataset, fingerprint ?? DatasetFingerprint.Of(dataset.Photos)),
        },
    };

    /// <summary>
    /// The same for a summary made from an embeddings file (probe, knn): the registry, the file's fingerprint, and the
    /// photos it was embedded from where the file records them (<see cref="FileStamp"/>; files of other tools and older
    /// files do not, and their dataset stays null). A set built in memory has no file to fingerprint.
    /// </summary>
    public static Summary Stamp(Summary summary, EmbeddingsFile embeddings)
    {
        var stamped = Stamp(summary);
        if (embeddings.SourceDataset is { } source)
            stamped = stamped with { Manifest = stamped.Manifest! with { Dataset = new(source.Root, source.Layout, source.Files, source.Sha256) } };
        if (!File.Exists(embeddings.Source)) return stamped;
        var fingerprint = EmbeddingsFingerprint.Of(embeddings.Source);
        return stamped with
        {
            Manifest = stamped.Manifest! with { Embeddings = new(Path.GetFullPath(embeddings.Source), fingerprint.Bytes, fingerprint.HeaderSha256) },
        };
    }

    /// <summary>
    /// What `run`, `embed`, `extract` and `retrieval` write into the metadata of every embeddings file they make (`merge` carries it over): the
    /// photos, as the run's summary names them, and the registry, so that a summary made from the file names them too.
    /// </summary>
    public static IReadOnlyDictionary<string, string> FileStamp(Dataset dataset, DatasetFingerprint fingerprint)
    {
        var described = Describe(dataset, fingerprint);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SourceDataset.Key] = new SourceDataset(described.Root, described.Layout, described.Files, described.Sha256).ToJson(),
            [EmbeddingsFile.RegistryKey] = EncoderRegistry.Sha256,
        };
    }

    /// <summary><paramref name="metadata"/> with <paramref name="stamp"/>'s entries added (a stamp's entry wins).</summary>
    public static IReadOnlyDictionary<string, string> Stamped(IReadOnlyDictionary<string, string> metadata, IReadOnlyDictionary<string, string> stamp)
    {
        var stamped = new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        foreach (var (key, value) in stamp) stamped[key] = value;
        return stamped;
    }

    private static DatasetManifest Describe(Dataset dataset, DatasetFingerprint fingerprint) =>
        new(Path.GetFullPath(dataset.Root), dataset.Layout, fingerprint.Files, fingerprint.Sha256);
}
