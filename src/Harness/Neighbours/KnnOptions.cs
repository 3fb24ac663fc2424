using TraceProbe.Common;

namespace TraceProbe.Neighbours;

/// <summary>Options shared by the kNN classifier and the kNN influence set-ups.</summary>
public sealed record KnnOptions
{
    /// <summary>Neighbours per query (the paper uses 10; 1 gives the 1-NN classifier).</summary>
    public int K { get; init; } = 10;

    /// <summary>Random processing assignments drawn for the uniform set-up.</summary>
    public int UniformSeeds { get; init; } = 10;

    /// <summary>The run's seed; the uniform set-up's assignments derive from it.</summary>
    public ulong Seed { get; init; }

    /// <summary>The set-ups to evaluate, in the order of their records: the paper's unless a caller (a test) gives others.</summary>
    public IReadOnlyList<KnnSetup> Setups { get; init; } = KnnSetup.All;

    /// <summary>Threads to use; -1 for all. Results are identical for every value.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>How a vote between equally frequent classes is decided.</summary>
    public KnnVoteTieBreak VoteTieBreak { get; init; } = KnnVoteTieBreak.SummedSimilarity;

    /// <summary>
    /// Queries of one processing held in memory at once (the kNN influence run streams the rest, and the
    /// database always, block by block): memory stays bounded whatever the dataset size.
    /// </summary>
    public int QueryRowsInMemory { get; init; } = 32_768;

    /// <summary>Where the similarity passes run.</summary>
    public KnnDevice Device { get; init; } = KnnDevice.Cpu;

    /// <summary>The GPU's index for <see cref="KnnDevice.Cuda"/>.</summary>
    public int DeviceId { get; init; }

    /// <summary>This set of options on the device a user names as the encoder's: "cpu", "cuda" or "cuda:N".</summary>
    public KnnOptions OnDevice(string device)
    {
        var parsed = ComputeDevice.Parse(device);
        return this with { Device = parsed.IsCuda ? KnnDevice.Cuda : KnnDevice.Cpu, DeviceId = parsed.Id };
    }
}

/// <summary>Which class wins a kNN vote between classes with equally many neighbours.</summary>
public enum KnnVoteTieBreak
{
    /// <summary>The class whose neighbours' similarities sum highest (summed in rank order, in double), then the smallest class id.</summary>
    SummedSimilarity,
    /// <summary>
    /// The smallest class id. The reference counts one-hot votes and takes the first of a descending
    /// <c>torch.sort</c>, which is not stable: with torch 1.13 on the CPU it keeps the smallest class among
    /// tied counts for up to 16 classes, and picks one of them by the sort's internals beyond. This rule equals
    /// it there, and beyond it is a tie-break blind to the neighbours' similarities as the reference's is.
    /// </summary>
    SmallestClass,
}

/// <summary>Where the kNN similarity passes run.</summary>
public enum KnnDevice
{
    /// <summary>The blocked SIMD kernel with the top-k filter fused in.</summary>
    Cpu,
    /// <summary>A MatMul + TopK graph through ONNX Runtime's CUDA provider.</summary>
    Cuda,
    /// <summary>The same graph on ONNX Runtime's CPU provider (to test the graph where no GPU is).</summary>
    OnnxCpu,
}
