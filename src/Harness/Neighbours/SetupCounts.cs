using TraceProbe.Common;

namespace TraceProbe.Neighbours;

/// <summary>
/// Where a run's correct-query counts are in its one array of counters (the state file keeps it whole): per test
/// processing p, each set-up's counters in table order (one for a set-up under p alone, one per q ≠ p, one per
/// uniform seed); after all of them, per set-up, each query's correct votes (for the intervals over query photos).
/// </summary>
internal sealed class SetupCounts
{
    private readonly int[] _first;

    public SetupCounts(IReadOnlyList<KnnSetup> setups, int processings, int seeds, int queries)
    {
        Setups = setups;
        Processings = processings;
        Seeds = seeds;
        Queries = queries;
        _first = new int[setups.Count];
        for (var s = 0; s < setups.Count; s++)
        {
            _first[s] = Slots;
            Slots += Units(setups[s]);
        }
    }

    public IReadOnlyList<KnnSetup> Setups { get; }
    public int Processings { get; }
    public int Seeds { get; }
    /// <summary>All queries of the run, over every query block.</summary>
    public int Queries { get; }

    /// <summary>Counters of one test processing.</summary>
    public int Slots { get; }

    public int Length => Processings * Slots + Setups.Count * Queries;

    /// <summary>A set-up's counters per test processing: what it is averaged over besides p.</summary>
    public int Units(KnnSetup setup) => setup.Averaging switch
    {
        KnnAveraging.OverTestProcessings => 1,
        KnnAveraging.OverPairs => Processings - 1,
        KnnAveraging.OverSeeds => Seeds,
        _ => throw new ArgumentOutOfRangeException(nameof(setup), setup.Averaging, "Unknown averaging."),
    };

    /// <summary>Among p's counters, set-up <paramref name="setup"/>'s <paramref name="unit"/>: 0, the rank of q (<see cref="OtherRank"/>) or the seed.</summary>
    public int Slot(int setup, int unit) => _first[setup] + unit;

    /// <summary>q's rank among the processings other than p.</summary>
    public static int OtherRank(int p, int q) => q < p ? q : q - 1;

    /// <summary>The counter of <paramref name="slot"/> under test processing p.</summary>
    public int Of(int p, int slot) => p * Slots + slot;

    /// <summary>The counter of one query's correct votes in a set-up.</summary>
    public int PerQuery(int setup, int query) => Processings * Slots + setup * Queries + query;

    /// <summary>Votes behind one query's count in a set-up: one per p, per (p, q ≠ p) or per (p, seed).</summary>
    public double VotesPerQuery(int setup) => Units(Setups[setup]) * (double)Processings;
}
