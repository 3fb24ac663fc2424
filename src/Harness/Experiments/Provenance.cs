using TraceProbe.Datasets;
using TraceProbe.Encoders;
using TraceProbe.Results;

namespace TraceProbe.Experiments;

/// <summary>Completes a summary's manifest with what only the suite knows: the registry compiled in and the dataset read.</summary>
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

    private static DatasetManifest Describe(Dataset dataset, DatasetFingerprint fingerprint) =>
        new(Path.GetFullPath(dataset.Root), dataset.Layout, fingerprint.Files, fingerprint.Sha256);
}
