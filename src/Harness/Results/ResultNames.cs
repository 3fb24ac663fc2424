using TraceProbe.Common;

namespace TraceProbe.Results;

/// <summary>The `experiment` values of summary records, in the paper's words.</summary>
public static class ExperimentNames
{
    public const string Processing = "processing";
    public const string Acquisition = "acquisition";
    public const string Knn = "knn";
    public const string Retrieval = "retrieval";
    /// <summary>A probe or kNN result measured again after the trace was erased from the embeddings.</summary>
    public const string Erasure = "erasure";
}

/// <summary>The `setup` values of summary records; a kNN set-up's is its name in <see cref="KnnSetup.All"/>.</summary>
public static class SetupNames
{
    public const string Probe = "probe";
    /// <summary>|acc(pos-same) − acc(neg-same)|, beside the kNN set-ups' records.</summary>
    public const string Distraction = "distraction";
    /// <summary>Near-duplicate retrieval with hard negatives (other images of the query's class).</summary>
    public const string Hard = "hard";
    /// <summary>Near-duplicate retrieval with easy negatives (other images of the target's class).</summary>
    public const string Easy = "easy";

    /// <summary>A retrieval set-up scored on the queries of one class only ("hard:phone"), as the reference reports each.</summary>
    public static string ForQueryClass(string setup, string queryClass) => $"{setup}:{queryClass}";

    /// <summary>The kNN influence set-ups in the table's order.</summary>
    public static readonly IReadOnlyList<string> Knn = KnnSetup.All.Select(s => s.Name).ToArray();
}

/// <summary>The `metric` values of summary records.</summary>
public static class MetricNames
{
    public const string Top1 = "top1";
    public const string MeanPerClassRecall = "mean_per_class_recall";
    public const string Accuracy = "accuracy";
    public const string DistractionScore = "distraction_score";
    public const string RecallAt1 = "recall@1";
}

/// <summary>The `family` of a record whose encoder is not in the registry (an embeddings file from elsewhere).</summary>
public static class FamilyNames
{
    public const string Unregistered = "unregistered";
}

/// <summary>Keys of a summary's `settings` that readers (the report) look for.</summary>
public static class SettingNames
{
    /// <summary>How the run departs from the paper's protocol, one per line; empty when it does not.</summary>
    public const string PaperDepartures = "paper_departures";
    /// <summary>The probe's optimiser: "fast" or "paper".</summary>
    public const string Protocol = "protocol";
    /// <summary>The processing tasks' data layout: "quick" (crops) or "paper" (whole images of train/val).</summary>
    public const string Layout = "layout";
    /// <summary>The settings that decide the records, one "name=value" per line; --skip-existing keeps records only when they match.</summary>
    public const string ResumeSettings = "resume_settings";
}
