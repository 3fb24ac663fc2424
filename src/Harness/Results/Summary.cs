using System.Text.Json;
using System.Text.Json.Serialization;
using TraceProbe.Common;

namespace TraceProbe.Results;

/// <summary>One result: (encoder, experiment, task, setup, metric) → value.</summary>
public sealed record SummaryRecord
{
    public required string Encoder { get; init; }
    public required string Family { get; init; }
    /// <summary>processing | acquisition | knn | retrieval.</summary>
    public required string Experiment { get; init; }
    public required string Task { get; init; }
    /// <summary>e.g. "probe" for linear probes, or a kNN set-up such as "all-same".</summary>
    public required string Setup { get; init; }
    /// <summary>top1 | mean_per_class_recall | …</summary>
    public required string Metric { get; init; }
    public required double Value { get; init; }
    public double? Std { get; init; }
    public double? Chance { get; init; }
    public int NTrain { get; init; }
    public int NTest { get; init; }
    /// <summary>
    /// 95% interval of <see cref="Value"/> as [low, high]: a seeded percentile bootstrap that resamples the held-out
    /// photos (with all their crops and processed copies), see docs/statistics.md.
    /// </summary>
    public IReadOnlyList<double>? Ci95 { get; init; }
    /// <summary>Held-out photos the value rests on (kNN: the query photos; retrieval: the pairs).</summary>
    public int? NTestPhotos { get; init; }
    public IReadOnlyList<string> Classes { get; init; } = [];
    /// <summary>Rows: true class, columns: predicted class (probe records only).</summary>
    public int[][]? Confusion { get; init; }
    /// <summary>How the number was made (protocol, chosen hyper-parameters, model hash…).</summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }
}

/// <summary>A task (or one experiment of it) whose results are not reported, and why (e.g. too few held-out photos).</summary>
public sealed record NotRunTask
{
    public required string Encoder { get; init; }
    /// <summary>processing | acquisition | knn | retrieval | erasure.</summary>
    public required string Experiment { get; init; }
    public required string Task { get; init; }
    public required string Reason { get; init; }
    /// <summary>Held-out photos the results would have rested on (0 when the task could not even be split).</summary>
    public int TestPhotos { get; init; }
}

/// <summary>The run's summary.json (schema traceprobe.summary/1).</summary>
public sealed record Summary
{
    public const string SchemaId = "traceprobe.summary/1";

    public string Schema { get; init; } = SchemaId;
    public required ulong Seed { get; init; }
    public required DateTimeOffset CreatedUtc { get; init; }
    public required IReadOnlyDictionary<string, string> Versions { get; init; }
    public required IReadOnlyDictionary<string, string> Machine { get; init; }
    public required IReadOnlyDictionary<string, string> Settings { get; init; }
    public required IReadOnlyList<SummaryRecord> Records { get; init; }
    public required IReadOnlyList<SkippedInput> Skipped { get; init; }
    /// <summary>Tasks measured or attempted but not reported, with the reason and counts.</summary>
    public IReadOnlyList<NotRunTask> NotRun { get; init; } = [];
    /// <summary>Commit, command line, registry and dataset (or embeddings file) of the run (null in summaries written before it existed).</summary>
    public RunManifest? Manifest { get; init; }

    /// <summary>A summary stamped with this process's versions, machine and time.</summary>
    public static Summary Create(ulong seed, IReadOnlyDictionary<string, string> settings, IReadOnlyList<SummaryRecord> records,
        IReadOnlyList<SkippedInput> skipped) => new()
    {
        Seed = seed,
        CreatedUtc = DateTimeOffset.UtcNow,
        Versions = RunEnvironment.Versions(),
        Machine = RunEnvironment.Machine(),
        Settings = settings,
        Records = records,
        Skipped = skipped,
        Manifest = RunManifest.Current(),
    };

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // Write then rename, so an interrupted run never leaves a half-written summary.
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, JsonOptions));
        File.Move(tmp, path, overwrite: true);
    }

    public static Summary Read(string path)
    {
        var summary = JsonSerializer.Deserialize<Summary>(File.ReadAllText(path), JsonOptions)
            ?? throw new InvalidDataException($"{path}: empty summary.");
        if (summary.Schema != SchemaId)
            throw new InvalidDataException($"{path}: schema '{summary.Schema}', expected '{SchemaId}'.");
        return summary;
    }
}
