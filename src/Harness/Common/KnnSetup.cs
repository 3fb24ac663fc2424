namespace TraceProbe.Common;

/// <summary>
/// Where one part of a kNN set-up's database is, for a query under test processing p: the reference names a set-up by
/// the triple (test, positives, negatives), positives being the database images of the query's class.
/// </summary>
public enum KnnDatabaseProcessing
{
    /// <summary>Under p, the query's processing.</summary>
    Test,
    /// <summary>Under another processing q ≠ p: the set-up is averaged over p and q.</summary>
    Other,
    /// <summary>Each image under a processing drawn uniformly at random, per seed: averaged over p and the seeds.</summary>
    Random,
}

/// <summary>How a set-up's accuracy is averaged; it follows from where its database is.</summary>
public enum KnnAveraging
{
    /// <summary>Over the test processing p (one value per p).</summary>
    OverTestProcessings,
    /// <summary>Over p and q ≠ p (a [P × P] table with a NaN diagonal).</summary>
    OverPairs,
    /// <summary>Over p within each uniform seed, then over the seeds (their spread is the set-up's std).</summary>
    OverSeeds,
}

/// <summary>
/// A kNN influence set-up: its record name (the summary's <c>setup</c>), where its positives and negatives are, and
/// the words the report describes it with. <see cref="All"/> is the one table of set-ups: the run votes, averages,
/// records, reports and draws every set-up in it, in its order.
/// </summary>
public sealed record KnnSetup(string Name, KnnDatabaseProcessing Positives, KnnDatabaseProcessing Negatives, string Gloss)
{
    public static readonly KnnSetup AllSame = new("all-same", KnnDatabaseProcessing.Test, KnnDatabaseProcessing.Test, "processed like the query");
    public static readonly KnnSetup PosSame = new("pos-same", KnnDatabaseProcessing.Test, KnnDatabaseProcessing.Other, "the query's class alike");
    public static readonly KnnSetup NegSame = new("neg-same", KnnDatabaseProcessing.Other, KnnDatabaseProcessing.Test, "other classes alike");
    public static readonly KnnSetup AllDiff = new("all-diff", KnnDatabaseProcessing.Other, KnnDatabaseProcessing.Other, "nothing alike");
    public static readonly KnnSetup Uniform = new("uniform", KnnDatabaseProcessing.Random, KnnDatabaseProcessing.Random, "at random");

    /// <summary>The paper's set-ups in its order.</summary>
    public static readonly IReadOnlyList<KnnSetup> All = [AllSame, PosSame, NegSame, AllDiff, Uniform];

    public KnnAveraging Averaging =>
        Positives == KnnDatabaseProcessing.Random ? KnnAveraging.OverSeeds
        : Positives == KnnDatabaseProcessing.Other || Negatives == KnnDatabaseProcessing.Other ? KnnAveraging.OverPairs
        : KnnAveraging.OverTestProcessings;

    /// <summary>
    /// Throws unless every set-up follows from the lists one (p, q) pass keeps (own class, other classes, each seed's
    /// share, none split by class otherwise) and the names are distinct: records are found by name.
    /// </summary>
    public static void Validate(IReadOnlyList<KnnSetup> setups)
    {
        if (setups.Count == 0) throw new ArgumentException("At least one kNN set-up is needed.", nameof(setups));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in setups)
        {
            if (string.IsNullOrWhiteSpace(s.Name)) throw new ArgumentException("A kNN set-up has no name.", nameof(setups));
            if (!names.Add(s.Name)) throw new ArgumentException($"Two kNN set-ups are named '{s.Name}'.", nameof(setups));
            if ((s.Positives == KnnDatabaseProcessing.Random) != (s.Negatives == KnnDatabaseProcessing.Random))
                throw new ArgumentException($"kNN set-up '{s.Name}': a uniform seed's list is not split by class, so positives and negatives are drawn at random together or not at all.", nameof(setups));
        }
    }
}
