namespace TraceProbe.Probes;

/// <summary>How a probe is trained.</summary>
public enum ProbeProtocol
{
    /// <summary>
    /// Default: full-batch L-BFGS on L2-regularised cross-entropy along a warm-started regularisation path,
    /// the L2 strength chosen by validation top-1 (a stratified split of train, the caller's validation rows, or
    /// cross-validation over <see cref="ProbeOptions.Groups"/>), then refit on all of train. It solves in centred
    /// coordinates with a diagonal preconditioner (<see cref="Centring"/>): the same minimum, far fewer steps.
    /// </summary>
    Fast,

    /// <summary>
    /// The paper's protocol: SGD with momentum, cosine learning rate per epoch, random search over learning
    /// rate and weight decay (log-uniform) by validation top-1, then retrain on all of train.
    /// </summary>
    Paper,
}

/// <summary>Settings of <see cref="LinearProbe.Fit"/>. Defaults follow the spec (Probes).</summary>
public sealed record ProbeOptions
{
    /// <summary>Probes per task when none is asked for: one for the fast protocol; ten seeds for the paper's, as it reports mean ± std.</summary>
    public static int DefaultSeeds(ProbeProtocol protocol) => protocol == ProbeProtocol.Paper ? 10 : 1;

    /// <summary>Seeds the split, the search, the initialisation and the shuffling.</summary>
    public ulong Seed { get; init; } = 0;

    public ProbeProtocol Protocol { get; init; } = ProbeProtocol.Fast;

    /// <summary>Worker threads; null means all cores. Results do not depend on it.</summary>
    public int? Threads { get; init; }

    /// <summary>Share of each class held out of train to choose hyper-parameters (stratified).</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>
    /// Rows of the training data to choose hyper-parameters on, instead of a stratified split: a given
    /// validation split (acquisition tasks), or whole photos held out so that crops of one photo are never on
    /// both sides. The final model is refit on all rows.
    /// </summary>
    public IReadOnlyList<int>? ValidationRows { get; init; }

    /// <summary>
    /// A group per row (e.g. the source photo of each crop), so that validation never splits a group: the Fast
    /// protocol chooses λ by cross-validation over whole groups (<see cref="Folds"/> folds), the Paper protocol
    /// holds out <see cref="ValidationFraction"/> of the groups. Crops of one photo on both sides of a split make
    /// weak regularisation look better than it is (measured: λ chosen 10–100× too small).
    /// </summary>
    public IReadOnlyList<int>? Groups { get; init; }

    /// <summary>Folds of the grouped cross-validation.</summary>
    public int Folds { get; init; } = 3;

    // ---- Fast ----

    /// <summary>Fixed L2 strength; skips the regularisation path.</summary>
    public double? Lambda { get; init; }

    /// <summary>Largest L2 strength of the path (objective: mean cross-entropy + λ/2·‖W‖², bias not penalised).</summary>
    public double LambdaMax { get; init; } = 1e-1;

    /// <summary>Smallest L2 strength of the path.</summary>
    public double LambdaMin { get; init; } = 1e-6;

    /// <summary>Log-spaced path points from <see cref="LambdaMax"/> down to <see cref="LambdaMin"/>.</summary>
    public int LambdaSteps { get; init; } = 6;

    /// <summary>
    /// Stop the path after this many points without a better validation top-1 (validation accuracy is not
    /// monotone along the path: 1 stopped too early on real embeddings; 3 spent a third of the time on the two
    /// weakest strengths without changing a choice on the bundled photos or the benchmark data).
    /// </summary>
    public int PathPatience { get; init; } = 2;

    /// <summary>L-BFGS iterations per path point and for the refit.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>L-BFGS stops when the largest gradient component falls below this share of its value at zero.</summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>
    /// <see cref="Tolerance"/> for the points of the path, which only have to rank strengths by validation top-1;
    /// the final fit at the chosen strength uses <see cref="Tolerance"/>. (Measured on the bundled photos' four
    /// processing tasks: 3e-2 chose as well as 1e-3 in 40% of the time; 1e-1 left weak strengths unsolved.)
    /// </summary>
    public double PathTolerance { get; init; } = 3e-2;

    /// <summary>L-BFGS history length.</summary>
    public int Memory { get; init; } = 10;

    // ---- Paper ----

    /// <summary>Random-search trials over (learning rate, weight decay).</summary>
    public int Trials { get; init; } = 10;

    public int Epochs { get; init; } = 100;

    public int BatchSize { get; init; } = 1024;

    public double Momentum { get; init; } = 0.9;

    public double LearningRateMin { get; init; } = 0.1;

    public double LearningRateMax { get; init; } = 100;

    public double WeightDecayMin { get; init; } = 1e-12;

    public double WeightDecayMax { get; init; } = 1e-4;

    /// <summary>Fixed learning rate (with <see cref="WeightDecay"/>); skips the search.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Fixed weight decay (with <see cref="LearningRate"/>); skips the search.</summary>
    public double? WeightDecay { get; init; }

    internal int EffectiveThreads => Math.Max(1, Threads ?? Environment.ProcessorCount);
}
