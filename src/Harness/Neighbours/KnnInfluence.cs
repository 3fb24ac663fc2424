using TraceProbe.Common;

namespace TraceProbe.Neighbours;

/// <summary>
/// One set-up's accuracy averaged over p (and q where the set-up has one). Std is over the uniform
/// set-up's seeds (population std, as numpy's default); 0 for the deterministic set-ups.
/// </summary>
public readonly record struct KnnSetupAccuracy(KnnSetup Setup, double Mean, double Std);

/// <summary>
/// kNN influence of one processing task, per set-up of the run's table (<see cref="KnnOptions.Setups"/>, in its order).
/// A set-up's breakdown holds what its accuracy averages (<see cref="KnnSetup.Averaging"/>): one value per test
/// processing p, a [P × P] table row-major with row p (test processing) and column q (other processing) whose diagonal
/// is NaN, or one value per uniform seed.
/// </summary>
public sealed record KnnInfluenceResult(int K, int Queries, int DatabaseItems, int Processings,
    IReadOnlyList<KnnSetupAccuracy> Setups, IReadOnlyList<double[]> Breakdowns)
{
    /// <summary>
    /// Per set-up (in <see cref="Setups"/> order), each query's accuracy averaged as the set-up averages (over p, and q
    /// or seeds): the mean over queries is the set-up's accuracy. Queries in item order.
    /// </summary>
    public IReadOnlyList<double[]> ByQuery { get; init; } = [];

    /// <summary>Whether the run's table had <paramref name="setup"/>.</summary>
    public bool Has(KnnSetup setup) => Setups.Any(s => s.Setup == setup);

    public KnnSetupAccuracy this[KnnSetup setup] => Setups[IndexOf(setup)];
    public double[] BreakdownOf(KnnSetup setup) => Breakdowns[IndexOf(setup)];
    public double[] ByQueryOf(KnnSetup setup) => ByQuery[IndexOf(setup)];

    // The paper's set-ups by name, for the distraction score and for readers that want one of them.
    public KnnSetupAccuracy AllSame => this[KnnSetup.AllSame];
    public KnnSetupAccuracy PosSame => this[KnnSetup.PosSame];
    public KnnSetupAccuracy NegSame => this[KnnSetup.NegSame];
    public KnnSetupAccuracy AllDiff => this[KnnSetup.AllDiff];
    public KnnSetupAccuracy Uniform => this[KnnSetup.Uniform];
    public double[] AllSameByProcessing => BreakdownOf(KnnSetup.AllSame);
    public double[] PosSameByPair => BreakdownOf(KnnSetup.PosSame);
    public double[] NegSameByPair => BreakdownOf(KnnSetup.NegSame);
    public double[] AllDiffByPair => BreakdownOf(KnnSetup.AllDiff);
    public double[] UniformBySeed => BreakdownOf(KnnSetup.Uniform);

    /// <summary>|acc(pos-same) − acc(neg-same)|: how much sharing the query's processing pulls neighbours.</summary>
    public double DistractionScore => Math.Abs(PosSame.Mean - NegSame.Mean);

    private int IndexOf(KnnSetup setup)
    {
        for (var s = 0; s < Setups.Count; s++)
            if (Setups[s].Setup == setup) return s;
        throw new KeyNotFoundException($"The kNN run's set-ups have no '{setup.Name}'.");
    }
}

/// <summary>
/// The two sides of a kNN influence run: query items and database items (disjoint, so a query never meets
/// its own item), each with its semantic class, each readable under every processing.
/// </summary>
public sealed record KnnInfluenceInput(IProcessedRows Queries, int[] QueryLabels, IProcessedRows Database, int[] DatabaseLabels)
{
    public int Processings => Queries.Processings;
    public int Dim => Queries.Dim;

    /// <summary>Checks shapes and labels; throws naming the field at fault.</summary>
    public void Validate()
    {
        if (Processings < 2) throw new ArgumentOutOfRangeException(nameof(Queries), Processings, "kNN influence needs at least two processings (p and some q ≠ p).");
        if (Database.Processings != Processings) throw new ArgumentException($"Queries have {Processings} processings but the database has {Database.Processings}.", nameof(Database));
        if (Dim < 1 || Database.Dim != Dim) throw new ArgumentException($"Queries have dim {Dim} but the database has dim {Database.Dim}.", nameof(Database));
        if (QueryLabels.Length != Queries.Count) throw new ArgumentException($"QueryLabels has {QueryLabels.Length} entries for {Queries.Count} queries.", nameof(QueryLabels));
        if (DatabaseLabels.Length != Database.Count) throw new ArgumentException($"DatabaseLabels has {DatabaseLabels.Length} entries for {Database.Count} database items.", nameof(DatabaseLabels));
        if (Queries.Count == 0 || Database.Count == 0) throw new ArgumentException($"Need both query and database items; got {Queries.Count} queries and {Database.Count} database items.", nameof(Queries));
        if (QueryLabels.Any(l => l < 0) || DatabaseLabels.Any(l => l < 0)) throw new ArgumentException("Semantic labels must be ≥ 0.", nameof(QueryLabels));
    }
}

/// <summary>
/// How far a kNN influence run is: similarity passes are (p, query block, q) units of work. A resumed run starts
/// with <paramref name="MultiplyAddsResumed"/> already done (by an earlier run), and <paramref name="Elapsed"/> counts
/// from its own start.
/// </summary>
public readonly record struct KnnProgress(long MultiplyAddsDone, long MultiplyAddsTotal, TimeSpan Elapsed, long MultiplyAddsResumed = 0)
{
    public double Fraction => MultiplyAddsTotal == 0 ? 1 : (double)MultiplyAddsDone / MultiplyAddsTotal;

    /// <summary>Remaining time at this run's pace (work resumed from a state file took no time here); null before any work is done.</summary>
    public TimeSpan? Eta => MultiplyAddsDone <= MultiplyAddsResumed ? null
        : Elapsed * ((double)(MultiplyAddsTotal - MultiplyAddsDone) / (MultiplyAddsDone - MultiplyAddsResumed));
}

/// <summary>
/// kNN classification of semantic classes when queries and database carry chosen processings.
/// </summary>
/// <remarks>
/// The reference runs one similarity pass per (test, positives, negatives) triple: P³ + P·seeds passes
/// (276 for JPEG's 6 classes). Here each (p, q) pair of query processing p and database processing q is
/// computed once (P² passes, 36 for JPEG), keeping per query the top-k of its own class, of the other
/// classes and of each uniform seed's share; every set-up is derived from those lists exactly
/// (<see cref="SetupVotes"/>). Queries are read a block at a time, the database streams past them, and
/// nothing of size queries × database is ever held.
/// </remarks>
public static class KnnInfluence
{
    /// <summary>
    /// Evaluates the set-ups (<see cref="KnnOptions.Setups"/>) on embeddings held in memory.
    /// </summary>
    /// <param name="embeddings">L2-normalised embeddings [items × processings, dim], item-major: row item·P + processing.</param>
    /// <param name="items">Source items (photos).</param>
    /// <param name="processings">P, the processing task's classes (at least 2).</param>
    /// <param name="dim">Embedding dimension.</param>
    /// <param name="semanticLabels">The semantic class of each item, ≥ 0.</param>
    /// <param name="isQuery">True for query items; the others form the database, so a query never meets its own item.</param>
    public static KnnInfluenceResult Evaluate(
        ReadOnlySpan<float> embeddings, int items, int processings, int dim,
        ReadOnlySpan<int> semanticLabels, ReadOnlySpan<bool> isQuery, KnnOptions? options = null)
    {
        var P = processings;
        if (P < 2) throw new ArgumentOutOfRangeException(nameof(processings), P, "kNN influence needs at least two processings (p and some q ≠ p).");
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim), dim, "dim must be at least 1.");
        if (items < 0 || embeddings.Length != (long)items * P * dim)
            throw new ArgumentException($"embeddings has {embeddings.Length} floats; items × processings × dim = {items} × {P} × {dim}.", nameof(embeddings));
        if (semanticLabels.Length != items) throw new ArgumentException($"semanticLabels has {semanticLabels.Length} entries for {items} items.", nameof(semanticLabels));
        if (isQuery.Length != items) throw new ArgumentException($"isQuery has {isQuery.Length} entries for {items} items.", nameof(isQuery));

        var nq = 0;
        foreach (var q in isQuery) if (q) nq++;
        var nd = items - nq;
        if (nq == 0 || nd == 0) throw new ArgumentException($"Need both query and database items; got {nq} queries and {nd} database items.", nameof(isQuery));

        var queries = new float[(long)nq * P * dim];
        var database = new float[(long)nd * P * dim];
        var queryLabels = new int[nq];
        var dbLabels = new int[nd];
        for (int item = 0, qi = 0, di = 0; item < items; item++)
        {
            if (semanticLabels[item] < 0) throw new ArgumentException($"semanticLabels[{item}] is negative.", nameof(semanticLabels));
            var src = embeddings.Slice(item * P * dim, P * dim);
            if (isQuery[item]) { src.CopyTo(queries.AsSpan(qi * P * dim)); queryLabels[qi++] = semanticLabels[item]; }
            else { src.CopyTo(database.AsSpan(di * P * dim)); dbLabels[di++] = semanticLabels[item]; }
        }
        var input = new KnnInfluenceInput(new InMemoryRows(queries, nq, P, dim), queryLabels, new InMemoryRows(database, nd, P, dim), dbLabels);
        return Evaluate(input, options);
    }

    /// <summary>
    /// Evaluates the set-ups (<see cref="KnnOptions.Setups"/>), streaming both sides. With <paramref name="statePath"/> the run records
    /// its state after every (p, query block, q) pass and resumes from it when the file is there (and was
    /// written by the same run: inputs, k, seeds and blocking); the results equal an uninterrupted run's.
    /// <paramref name="cancel"/> stops the run between two database blocks.
    /// </summary>
    public static KnnInfluenceResult Evaluate(KnnInfluenceInput input, KnnOptions? options, IProgress<KnnProgress>? progress = null, string? statePath = null,
        CancellationToken cancel = default)
    {
        options ??= new KnnOptions();
        input.Validate();
        if (options.K < 1) throw new ArgumentOutOfRangeException(nameof(options), options.K, "K must be at least 1.");
        if (options.UniformSeeds is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(options), options.UniformSeeds, "UniformSeeds must be between 1 and 64.");
        if (options.QueryRowsInMemory < 1) throw new ArgumentOutOfRangeException(nameof(options), options.QueryRowsInMemory, "QueryRowsInMemory must be at least 1.");
        KnnSetup.Validate(options.Setups);
        var run = new KnnInfluenceRun(input, options, progress, statePath, cancel);
        return SetupAverages.Summarise(run.Run(), run.Counts, Math.Min(options.K, input.Database.Count), input.Database.Count);
    }

    /// <summary>Per-seed uniform assignments → masks: bit t of masks[q][j] set when seed t places item j under q.</summary>
    internal static ulong[][] UniformMasks(ulong seed, int seeds, int processings, int items)
    {
        var masks = new ulong[processings][];
        for (var q = 0; q < processings; q++) masks[q] = new ulong[items];
        var assignment = new int[items];
        for (var t = 0; t < seeds; t++)
        {
            UniformAssignment(seed, t, processings, assignment);
            for (var j = 0; j < items; j++) masks[assignment[j]][j] |= 1UL << t;
        }
        return masks;
    }

    /// <summary>
    /// The uniform set-up's processing for each database item (in database order) under seed index
    /// <paramref name="seedIndex"/>: a stream of its own, derived from the run's seed.
    /// </summary>
    internal static void UniformAssignment(ulong seed, int seedIndex, int processings, Span<int> destination)
    {
        var rng = new SeededRandom(Seeds.Derive(seed, 0x6B6E6EUL /* "knn" */, (ulong)seedIndex));
        for (var j = 0; j < destination.Length; j++) destination[j] = rng.Next(processings);
    }
}
