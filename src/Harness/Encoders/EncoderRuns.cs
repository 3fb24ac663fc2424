namespace TraceProbe.Encoders;

/// <summary>
/// How an encoder's work is spread over the cores: <see cref="Runs"/> ONNX Runtime runs at once, in one session whose
/// intra-op pool has <see cref="SessionThreads"/> threads (the calling thread included; 0 lets ONNX Runtime choose).
/// </summary>
/// <remarks>
/// On the CPU by default every core gets its own single-threaded run, each on its own batch. Measured on 2 cores with
/// ResNet18 at batch 8: two such runs embed as fast as one run on both cores, and unlike it they do not stall when
/// decoding and processing take a core from them. A multi-threaded run waits at every operator for its slowest
/// thread, so a preprocessing thread that preempts one of them idles the other: the pipeline with a JPEG op reached
/// 0.80 of ONNX Runtime's rate that way, against 0.89 or more with one run per core. Above
/// <see cref="MaxCpuRuns"/> cores the runs share the session's pool of the remaining threads, which bounds the
/// activations held at once (one set per run) on many-core machines; that split is reasoned, not measured.
/// </remarks>
public readonly record struct EncoderRuns(int Runs, int SessionThreads)
{
    /// <summary>At most this many runs at once on the CPU: each holds its own activations.</summary>
    public const int MaxCpuRuns = 8;

    /// <summary>Each run computes on its calling thread alone: nothing in it waits for another thread.</summary>
    public bool SingleThreaded => SessionThreads == 1;

    /// <param name="intraOpThreads">The user's intra-op thread count, 0 for the default: a count given alone is one run
    /// on that many threads, as ONNX Runtime would run it (so <c>--threads 1</c> still keeps the encoder to one core).</param>
    /// <param name="runs">Runs asked for, 0 for the default.</param>
    public static EncoderRuns For(int cores, int intraOpThreads, bool cuda, int runs = 0)
    {
        if (cuda) return new EncoderRuns(1, intraOpThreads);
        if (runs <= 0 && intraOpThreads > 0) return new EncoderRuns(1, intraOpThreads);
        if (runs <= 0) runs = Math.Clamp(cores, 1, MaxCpuRuns);
        return new EncoderRuns(runs, intraOpThreads > 0 ? intraOpThreads : Math.Max(1, cores - runs + 1));
    }
}
