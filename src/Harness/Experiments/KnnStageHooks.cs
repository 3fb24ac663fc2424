using TraceProbe.Embeddings;
using TraceProbe.Neighbours;

namespace TraceProbe.Experiments;

/// <summary>
/// How a kNN influence stage reports, where it keeps its state and what stops it. The stage never prints: the front end says where
/// its lines go (the suite's observer for `run`, stderr for `knn`).
/// </summary>
public sealed record KnnStageHooks
{
    /// <summary>Receives the cost line (passes × FLOPs, expected time on this device) before the similarity passes start.</summary>
    public Action<string>? Line { get; init; }

    /// <summary>Receives the run's progress (its ETA follows from it).</summary>
    public IProgress<KnnProgress>? Progress { get; init; }

    /// <summary>When given, the run saves its state there after every pass and a rerun resumes from it.</summary>
    public string? StatePath { get; init; }

    /// <summary>Stops the similarity passes between two database blocks (Ctrl+C in `run` and `knn` alike).</summary>
    public CancellationToken Cancel { get; init; }

    /// <summary>Progress as a suite stage ("knn", in thousandths of the similarity work), as the other stages report.</summary>
    public static IProgress<KnnProgress>? AsStage(IProgress<StageProgress>? stage) => stage is null ? null : new StageAdapter(stage);

    private sealed class StageAdapter(IProgress<StageProgress> stage) : IProgress<KnnProgress>
    {
        private int _last = -1;

        public void Report(KnnProgress value)
        {
            var permille = (int)Math.Min(1000, 1000 * value.Fraction);
            if (permille == _last) return;
            _last = permille;
            stage.Report(new StageProgress("knn", permille, 1000));
        }
    }
}
