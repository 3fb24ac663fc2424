using System.Diagnostics;

namespace TraceProbe.Neighbours;

/// <summary>
/// The loop of a kNN influence run: for each test processing p and block of queries, one pass per
/// database processing q (q = p first, whose own/other lists the other pairs reuse), each folded into the
/// correct-query counts (per set-up and per query) at once. State after every pass can be saved and resumed.
/// </summary>
internal sealed class KnnInfluenceRun(KnnInfluenceInput input, KnnOptions options, IProgress<KnnProgress>? progress, string? statePath,
    CancellationToken cancel = default)
{
    private readonly int P = input.Processings;
    private readonly int _seeds = options.UniformSeeds;
    private readonly int _k = Math.Min(options.K, input.Database.Count);

    /// <summary>Where the run's counts are: the summary reads them by the same layout.</summary>
    public SetupCounts Counts { get; } = new(options.Setups, input.Processings, options.UniformSeeds, input.Queries.Count);

    public long[] Run()
    {
        var nq = input.Queries.Count;
        var nd = input.Database.Count;
        var dim = input.Dim;
        var blockRows = Math.Min(options.QueryRowsInMemory, nq);
        var queryBlocks = (nq + blockRows - 1) / blockRows;
        var votes = new SetupVotes(Counts, _k, options.VoteTieBreak);
        var masks = KnnInfluence.UniformMasks(options.Seed, _seeds, P, nd);
        var state = KnnInfluenceState.Start(statePath, Fingerprint(blockRows), Counts.Length, P, blockRows, _seeds, _k);
        state.Layout(queryBlocks);

        var perPass = (long)nd * dim; // multiply-adds per query per pass
        var total = perPass * nq * P * P;
        var clock = Stopwatch.StartNew();
        long done = 0;
        long? resumed = null;
        var pass = new TopKHeaps(blockRows * PairLists.Count(_seeds), _k);
        using var engine = PairEngine.Create(options.Device, options.DeviceId, _k, _seeds);
        var queries = new float[(long)blockRows * dim];
        for (var p = 0; p < P; p++)
            for (var b = 0; b < queryBlocks; b++)
            {
                var first = b * blockRows;
                var rows = Math.Min(blockRows, nq - first);
                // A (p, block) finished before a resume is skipped whole: asking for its lists would clear the ones
                // restored for the (p, block) the run was stopped in.
                if (state.IsDone(p, b, P - 1)) { done += perPass * rows * P; continue; }
                var labels = input.QueryLabels.AsSpan(first, rows).ToArray();
                var (same, uniform) = state.ListsFor(p, b);
                input.Queries.Read(p, first, rows, queries);
                for (var step = 0; step < P; step++)
                {
                    var q = step == 0 ? p : step <= p ? step - 1 : step;
                    if (state.IsDone(p, b, step)) { done += perPass * rows; continue; }
                    cancel.ThrowIfCancellationRequested();
                    var before = done;
                    // Passes are done in order, so what a resumed run skipped all comes before its first pass.
                    resumed ??= done;
                    votes.StartPass(pass, uniform, rows);
                    engine.Run(queries, labels, input.Database, q, input.DatabaseLabels, masks[q], pass, options.MaxDegreeOfParallelism,
                        dbRows =>
                        {
                            // Between two database blocks: the passes finished so far are in the state file.
                            cancel.ThrowIfCancellationRequested();
                            progress?.Report(new KnnProgress(before + (long)dbRows * dim * rows, total, clock.Elapsed, resumed.Value));
                        });
                    done = before + perPass * rows;
                    votes.Fold(p, q, step == P - 1, labels, input.DatabaseLabels, pass, same, uniform, state.Correct, first, options.MaxDegreeOfParallelism);
                    state.Completed(p, b, step);
                }
            }
        return state.Correct;
    }

    /// <summary>What decides the counts: the run is resumed only from a state written with the same.</summary>
    private string Fingerprint(int blockRows)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        void Ints(ReadOnlySpan<int> x) => hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(x));
        Ints([input.Queries.Count, input.Database.Count, P, input.Dim, _k, _seeds, blockRows, (int)options.VoteTieBreak]);
        Ints(input.QueryLabels);
        Ints(input.DatabaseLabels);
        // The set-ups decide the counters' layout: a state written for another table is not resumed.
        foreach (var setup in options.Setups)
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{setup.Name}\t{setup.Positives}\t{setup.Negatives}\n"));
        // A sample of the embeddings: a changed file must not resume an old state.
        var row = new float[input.Dim];
        input.Queries.Read(0, 0, 1, row);
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row.AsSpan()));
        input.Database.Read(P - 1, input.Database.Count - 1, 1, row);
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row.AsSpan()));
        return $"{Convert.ToHexString(hash.GetHashAndReset())}-seed{options.Seed}-{options.Device}";
    }
}
