using TraceProbe.Common;
using TraceProbe.Embeddings;
using TraceProbe.Neighbours;
using TraceProbe.Probes;

namespace TraceProbe.Experiments;

/// <summary>What a job runs on and how: shared by `run` and `embed` (and any other front end), so that both plan identical work.</summary>
public sealed record JobSettings
{
    public IReadOnlyList<string> Encoders { get; init; } = [];
    public IReadOnlyList<string> Tasks { get; init; } = [];
    public string? Images { get; init; }
    public string Out { get; init; } = "results";
    public ulong Seed { get; init; }
    public string Device { get; init; } = "cpu";
    public int Threads { get; init; }
    public string? Models { get; init; }
    public int BatchSize { get; init; } = 8;
    public int ChunkSize { get; init; } = 64;
    public CropPlanOptions Crops { get; init; } = new();
    /// <summary>The probe's optimiser only: Fast (L-BFGS path) or Paper (SGD tuned by 30 TPE trials).</summary>
    public ProbeProtocol Protocol { get; init; }
    /// <summary>The processing tasks' data layout; null follows <see cref="Protocol"/> (paper → the paper's whole images), as `run --protocol paper` always did.</summary>
    public ProcessingLayout? Layout { get; init; }
    /// <summary>Probes per task, reported as mean ± std; null: 1 for the fast protocol, 10 for the paper's.</summary>
    public int? ProbeSeeds { get; init; }
    /// <summary>Keep records already in OUT/summary.json for an (encoder, task) instead of recomputing them.</summary>
    public bool SkipExisting { get; init; }
    /// <summary>
    /// Neighbours of the kNN influence set-ups; 0 skips them; null takes the default: the dataset's k in paper mode
    /// (10, 1 for iNaturalist), <see cref="DefaultKnnK"/> in quick mode. Null, not 10, so that an explicit 10 stays 10.
    /// </summary>
    public int? KnnK { get; init; }
    /// <summary>Tasks whose trace is also erased from the embeddings (LEACE) and measured again.</summary>
    public IReadOnlyList<string> Erase { get; init; } = [];
    /// <summary>Centre-mask area ratio of acquisition probes; null takes each task's (0.9).</summary>
    public double? MaskRatio { get; init; }
    /// <summary>Results resting on fewer held-out photos are listed as not run instead of reported (tests on tiny folders lower it).</summary>
    public int MinTestPhotos { get; init; } = ResultGate.MinimumTestPhotos;
    public bool Quiet { get; init; }

    /// <summary>The kNN's k when none is asked for and the dataset has no k of its own (the paper's ImageNet k).</summary>
    public const int DefaultKnnK = 10;

    /// <summary>The layout as asked, else the one <see cref="Protocol"/> implies.</summary>
    public ProcessingLayout LayoutOrDefault => Layout ?? (Protocol == ProbeProtocol.Paper ? ProcessingLayout.PaperWholeImages : ProcessingLayout.QuickCrops);

    /// <summary>Probes per task: as asked, else 1 for the fast protocol and 10 for the paper's.</summary>
    public int ProbeSeedsOrDefault => ProbeSeeds ?? ProbeOptions.DefaultSeeds(Protocol);

    /// <summary>The processing experiment's options these settings stand for.</summary>
    public ProcessingProbeOptions ProcessingOptions(EmbeddingCache cache) => new()
    {
        Seed = Seed,
        Crops = Crops,
        Probe = new ProbeOptions { Protocol = Protocol, Seed = Seed },
        Pipeline = new EmbeddingPipelineOptions { BatchSize = BatchSize, ChunkSize = ChunkSize },
        Cache = cache,
        ProbeSeeds = ProbeSeedsOrDefault,
        Knn = KnnK != 0 ? new KnnOptions { K = KnnK ?? DefaultKnnK, Seed = Seed }.OnDevice(Device) : null,
    };

    /// <summary>The acquisition experiment's options these settings stand for.</summary>
    public AcquisitionProbeOptions AcquisitionOptions(EmbeddingCache cache) => new()
    {
        Seed = Seed,
        Probe = new ProbeOptions { Protocol = Protocol, Seed = Seed },
        Pipeline = new EmbeddingPipelineOptions { BatchSize = BatchSize, ChunkSize = ChunkSize },
        Cache = cache,
        MaskRatio = MaskRatio,
    };
}
