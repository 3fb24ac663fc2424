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
    /// The same for a summary made from an embeddings file (probe, knn): the registry, and the file's fingerprint where
    /// the photos' would be (the file does not say which photos it was made from). A set built in memory has no file.
    /// </summary>
    public static Summary Stamp(Summary summary, EmbeddingsFile embeddings)
    {
        var stamped = Stamp(summary);
        if (!File.Exists(embeddings.Source)) return stamped;
        var fingerprint = EmbeddingsFingerprint.Of(embeddings.Source);
        return stamped with
        {
            Manifest = stamped.Manifest! with { Embeddings = new(Path.GetFullPath(embeddings.Source), fingerprint.Bytes, fingerprint.HeaderSha256) },
        };
    }

    private static DatasetManifest Describe(Dataset dataset, DatasetFingerprint fingerprint) =>
        new(Path.GetFullPath(dataset.Root), dataset.Layout, fingerprint.Files, fingerprint.Sha256);
}
