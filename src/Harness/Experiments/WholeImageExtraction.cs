using TraceProbe.Common;
using TraceProbe.Datasets;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Processing;

namespace TraceProbe.Experiments;

/// <summary>What `extract` was asked for: one encoder, a folder of photos, an optional processing, one output file.</summary>
public sealed record ExtractionSettings
{
    public required string Encoder { get; init; }
    public required string Images { get; init; }
    public required string Out { get; init; }
    public string? Op { get; init; }
    public string? InputsOut { get; init; }
    public int BatchSize { get; init; } = 8;
    public string? Models { get; init; }
    public string Device { get; init; } = "cpu";
    public int Threads { get; init; }
    public ulong Seed { get; init; }
}

/// <summary>
/// The paper's feature extraction on whole photos (<see cref="FeatureExtraction"/>) as one job: checks the settings,
/// opens the encoder, embeds every photo (finished chunks kept in OUT.cache/ so that a rerun resumes) and writes one
/// embeddings file, which names the photos it read and the registry (<see cref="Provenance.FileStamp"/>).
/// </summary>
public static class WholeImageExtraction
{
    public static async Task<FeatureExtractionResult> RunAsync(ExtractionSettings s, ISuiteObserver observer, CancellationToken cancel = default)
    {
        var spec = EncoderRegistry.Find(s.Encoder)
            ?? throw new SettingsException($"--encoder: unknown encoder '{s.Encoder}'. Known: {string.Join(", ", EncoderRegistry.All.Select(e => e.Id))}.");
        if (s.Op is not null && !ProcessingCatalog.TryParse(s.Op, out _))
            throw new SettingsException($"--op '{s.Op}' is not an operation. Known: {string.Join(", ", ProcessingCatalog.PaperIds)}.");
        if (s.BatchSize < 1) throw new SettingsException($"--batch-size {s.BatchSize}: must be at least 1.");
        if (!Directory.Exists(s.Images)) throw new SettingsException($"--images '{s.Images}' is not a folder.");

        using var session = EncoderSelection.Open(spec, ModelsFolder.Resolve(s.Models), s.Device, s.Threads, observer.Line);
        var options = new FeatureExtractionOptions
        {
            Op = s.Op,
            Seed = s.Seed,
            Pipeline = new EmbeddingPipelineOptions { BatchSize = s.BatchSize, ChunkSize = Math.Max(64, s.BatchSize) / s.BatchSize * s.BatchSize },
            CacheFolder = s.Out + ".cache",
            InputsPath = s.InputsOut,
        };
        var photos = PhotoCollection.FromFolder(s.Images);
        var result = await observer.RunAsync($"{spec.Id}/{s.Op ?? FeatureExtraction.NoOp}",
            progress => FeatureExtraction.RunAsync(session, photos, options, progress, cancel));
        // The folder as read (a plain folder, whatever layout `run` would see in it), named in the file as `run` names its photos.
        var dataset = new Dataset { Root = s.Images, Photos = photos };
        var stamp = Provenance.FileStamp(dataset, DatasetFingerprint.Of(photos));
        EmbeddingsFile.Write(s.Out, result.Embeddings with { Metadata = Provenance.Stamped(result.Embeddings.Metadata, stamp) });
        return result;
    }
}
