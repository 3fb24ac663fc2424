using System.Globalization;
using TraceProbe.Common;
using TraceProbe.Datasets;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Results;

namespace TraceProbe.Experiments;

/// <summary>
/// What <c>--skip-existing</c> may keep: the records of an old summary made with the same decisive settings (seed,
/// protocol, photos, crops, probe seeds, k, mask, rendering code, registry…) and, per (encoder, task), the same model
/// hash. Anything else is recomputed, so that one summary never mixes settings.
/// </summary>
public static class ResumeSettings
{
    /// <summary>The settings that decide a run's records, by name (written to the summary as <see cref="SettingNames.ResumeSettings"/>).</summary>
    public static SortedDictionary<string, string> Of(JobSettings s, Dataset dataset, DatasetFingerprint fingerprint) => new(StringComparer.Ordinal)
    {
        ["seed"] = s.Seed.ToString(CultureInfo.InvariantCulture),
        ["protocol"] = s.Protocol.ToString().ToLowerInvariant(),
        ["layout"] = s.LayoutOrDefault.Token(),
        ["images"] = Path.GetFullPath(dataset.Root),
        ["dataset"] = fingerprint.ToString(),
        ["crops"] = $"{s.Crops.TrainCropsPerPhoto} train, {s.Crops.TestCropsPerPhoto} test, {s.Crops.TestFraction.ToString("0.###", CultureInfo.InvariantCulture)} held out",
        ["probe_seeds"] = s.ProbeSeedsOrDefault.ToString(CultureInfo.InvariantCulture),
        ["knn_k"] = s.KnnK?.ToString(CultureInfo.InvariantCulture) ?? "default",
        ["mask_ratio"] = s.MaskRatio?.ToString(CultureInfo.InvariantCulture) ?? "default",
        ["erase"] = string.Join(",", s.Erase.Order(StringComparer.OrdinalIgnoreCase)),
        ["min_test_photos"] = s.MinTestPhotos.ToString(CultureInfo.InvariantCulture),
        ["device"] = s.Device.ToLowerInvariant(),
        ["batch_size"] = s.BatchSize.ToString(CultureInfo.InvariantCulture),
        ["render"] = RenderVersion.Current,
        ["registry"] = EncoderRegistry.Sha256,
    };

    /// <summary>One "name=value" per line.</summary>
    public static string Format(IReadOnlyDictionary<string, string> settings) => string.Join("\n", settings.Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>
    /// The old summary's records if it was made with <paramref name="current"/> settings; otherwise none, and why
    /// (the names of the settings that differ).
    /// </summary>
    public static (IReadOnlyList<SummaryRecord> Records, string? Why) Existing(string output, IReadOnlyDictionary<string, string> current)
    {
        var path = Path.Combine(output, "summary.json");
        if (!File.Exists(path)) return ([], null);
        var old = Summary.Read(path);
        var recorded = Parse(old.Settings.GetValueOrDefault(SettingNames.ResumeSettings));
        var differ = current.Keys.Union(recorded.Keys).Where(k => recorded.GetValueOrDefault(k) != current.GetValueOrDefault(k)).Order(StringComparer.Ordinal).ToList();
        if (differ.Count == 0) return (old.Records, null);
        var why = recorded.Count == 0
            ? $"{path} does not record its settings (written by an older version)"
            : $"{path} was made with other settings ({string.Join("; ", differ.Select(k => $"{k}: {recorded.GetValueOrDefault(k, "–")} then, {current.GetValueOrDefault(k, "–")} now"))})";
        return ([], why);
    }

    /// <summary>True when every kept record was made by the model with this hash (records without one are not trusted).</summary>
    public static bool SameModel(IEnumerable<SummaryRecord> records, string modelSha256) =>
        records.All(r => r.Details?.GetValueOrDefault("model_sha256") is { } hash && hash.Equals(modelSha256, StringComparison.OrdinalIgnoreCase));

    private static Dictionary<string, string> Parse(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
}
