using TraceProbe.Common;
using TraceProbe.Datasets;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Results;

namespace TraceProbe.Experiments;

/// <summary>Where a retrieval suite runs: the PairCams-layout folder, encoders, output and the encoder session's settings.</summary>
public sealed record RetrievalSettings
{
    public required string Dataset { get; init; }
    public IReadOnlyList<string> Encoders { get; init; } = [];
    public string Out { get; init; } = "results";
    public string Device { get; init; } = "cpu";
    public int Threads { get; init; }
    public string? Models { get; init; }
}

/// <summary>Near-duplicate retrieval (PairCams) for every chosen encoder: records, skipped inputs, embeddings files.</summary>
public static class RetrievalSuite
{
    public const string TaskId = "paircams";

    public static async Task<Summary> RunAsync(RetrievalSettings s, ISuiteObserver observer, CancellationToken cancel = default)
    {
        var (pairs, skipped) = PairCamsDataset.Read(s.Dataset);
        var folder = ModelsFolder.Resolve(s.Models);
        var specs = EncoderSelection.Select(s.Encoders, folder);
        // The photos of the complete pairs, named in the summary's manifest and in every embeddings file alike.
        var dataset = new Dataset { Root = s.Dataset, Photos = pairs.SelectMany(p => new[] { p.Phone, p.Camera }).ToList(), Layout = PairCamsDataset.Layout };
        var fingerprint = DatasetFingerprint.Of(dataset.Photos);
        var stamp = Provenance.FileStamp(dataset, fingerprint);
        var records = new List<SummaryRecord>();
        var allSkipped = skipped.ToList();
        foreach (var spec in specs)
        {
            using var encoder = EncoderSelection.Open(spec, folder, s.Device, s.Threads, observer.Line);
            var outcome = await observer.RunAsync($"{spec.Id}/{TaskId}", progress =>
                RetrievalExperiment.RunAsync(encoder, pairs, TaskId, new EmbeddingPipelineOptions(), new EmbeddingCache(Path.Combine(s.Out, "cache")), progress, cancel));
            records.AddRange(outcome.Records);
            allSkipped.AddRange(outcome.Skipped);
            var embeddings = outcome.Embeddings!;
            EmbeddingsFile.Write(TraceSuite.EmbeddingsPath(s.Out, spec.Id, TaskId), embeddings with { Metadata = Provenance.Stamped(embeddings.Metadata, stamp) });
        }
        var settings = new SortedDictionary<string, string>
        {
            ["dataset"] = Path.GetFullPath(s.Dataset),
            ["pairs"] = pairs.Count.ToString(),
            [SettingNames.PaperDepartures] = string.Join("\n", Departures(skipped)),
        };
        return Provenance.Stamp(Summary.Create(0, settings, records, allSkipped), dataset, fingerprint);
    }

    /// <summary>How a PairCams run departs from the reference's retrieval, one line each (listed in the report).</summary>
    public static IReadOnlyList<string> Departures(IReadOnlyList<SkippedInput> skipped)
    {
        var d = new List<string>
        {
            // The reference writes only per-query-class scores; whether the paper's figure averages the directions is unverified.
            "hard and easy average the two query directions (phone → camera, camera → phone); the reference reports each " +
            "query class, and the paper's figure may be one direction: compare the per-query-class records",
        };
        if (skipped.Count > 0)
            d.Add($"{skipped.Count:N0} listed image(s) or pair(s) missing or unusable, so fewer than the published 730 pairs (the reference needs all)");
        return d;
    }
}
