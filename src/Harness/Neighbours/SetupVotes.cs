using TraceProbe.Common;

namespace TraceProbe.Neighbours;

/// <summary>
/// Derives every set-up's k neighbours from the pair lists, votes, and counts correct queries.
/// For test processing p and database processing q (own = the query's class, other = the rest):
/// a set-up's positives are own(p,p) or own(p,q), its negatives other(p,p) or other(p,q), as its table row says (all-same
/// = own(p,p) ∪ other(p,p), pos-same(q) = own(p,p) ∪ other(p,q), …); a uniform seed t's database is ∪_q seed-t list(p,q).
/// The sets of each union are disjoint, so the top-k of the union is the top-k of the merged lists: exactly what a
/// pass over the whole set-up's database would keep.
/// </summary>
internal sealed class SetupVotes(SetupCounts counts, int k, KnnVoteTieBreak tieBreak)
{
    /// <summary>
    /// Prepares the pass lists of (p, q): own and other empty; each seed's list started from its running
    /// top-k over the earlier q (disjoint items), so its floor is high from the start and the pass ends
    /// with the merged list, instead of offering every item of q's share to an empty list.
    /// </summary>
    public void StartPass(TopKHeaps pass, TopKHeaps uniformLists, int rows)
    {
        pass.Clear();
        var seeds = counts.Seeds;
        var per = PairLists.Count(seeds);
        for (var i = 0; i < rows; i++)
            for (var t = 0; t < seeds; t++)
                pass.StartFrom(i * per + PairLists.Seed(t), uniformLists.Similarities(i * seeds + t), uniformLists.Indices(i * seeds + t));
    }

    /// <summary>
    /// Folds one finished (p, q) pass (sorted <paramref name="pass"/> lists) into the counts of p (<see cref="SetupCounts"/>).
    /// On q = p it stores own(p,p) and other(p,p) in <paramref name="sameLists"/> for the later pairs; the seeds' running
    /// lists live in <paramref name="uniformLists"/> (continued by the pass, see <see cref="StartPass"/>); <paramref name="lastPair"/>
    /// closes the uniform votes. This block's queries start at <paramref name="firstQuery"/>.
    /// </summary>
    public void Fold(int p, int q, bool lastPair, int[] queryLabels, int[] databaseLabels,
        TopKHeaps pass, TopKHeaps sameLists, TopKHeaps uniformLists, long[] correct, int firstQuery, int maxDegreeOfParallelism)
    {
        var nq = queryLabels.Length;
        var seeds = counts.Seeds;
        var setups = counts.Setups;
        var pairVotes = VotesOfPass(p, q);
        var seedVotes = lastPair ? Enumerable.Range(0, setups.Count).Where(s => setups[s].Averaging == KnnAveraging.OverSeeds).ToArray() : [];
        // Each query is folded by one thread: its per-query entries need no lock.
        void PerQuery(int setup, int i, bool hit) { if (hit) correct[counts.PerQuery(setup, firstQuery + i)]++; }
        var per = PairLists.Count(seeds);
        var slots = counts.Slots;
        Parallel.For(0, nq, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            () => new Scratch(slots, k),
            (i, _, s) =>
            {
                for (var h = 0; h < per; h++) pass.SortBestFirst(i * per + h);
                var label = queryLabels[i];
                int own = i * per + PairLists.Own, other = i * per + PairLists.Other;
                if (q == p)
                {
                    sameLists.Set(2 * i, pass.Similarities(own), pass.Indices(own));
                    sameLists.Set(2 * i + 1, pass.Similarities(other), pass.Indices(other));
                }
                // A part under p comes from the lists of (p, p), kept since; under q from this pass (which is (p, p) on q = p).
                (TopKHeaps, int) Part(KnnDatabaseProcessing where, int kept, int passed) =>
                    where == KnnDatabaseProcessing.Test && q != p ? (sameLists, kept) : (pass, passed);
                foreach (var (setup, slot) in pairVotes)
                {
                    var (positives, ownList) = Part(setups[setup].Positives, 2 * i, own);
                    var (negatives, otherList) = Part(setups[setup].Negatives, 2 * i + 1, other);
                    var hit = Correct(positives, ownList, negatives, otherList, label, databaseLabels, s);
                    s.Count(slot, hit);
                    PerQuery(setup, i, hit);
                }
                for (var t = 0; t < seeds; t++)
                {
                    // The pass continued the seed's running list (StartPass), so it is the merged list already.
                    var list = i * per + PairLists.Seed(t);
                    uniformLists.Set(i * seeds + t, pass.Similarities(list), pass.Indices(list));
                    if (seedVotes.Length == 0) continue;
                    // One vote of the seed's list serves every set-up averaged over seeds.
                    var seedHit = Correct(pass, list, pass, list, label, databaseLabels, s, single: true);
                    foreach (var setup in seedVotes)
                    {
                        s.Count(counts.Slot(setup, t), seedHit);
                        PerQuery(setup, i, seedHit);
                    }
                }
                return s;
            },
            s => { lock (correct) for (var j = 0; j < slots; j++) correct[counts.Of(p, j)] += s.Correct[j]; });
    }

    /// <summary>
    /// The set-ups a (p, q) pass closes, with their counters among p's: those under p alone on q = p, those with a part
    /// under another processing on q ≠ p. The uniform seeds' votes wait for the last pass of p.
    /// </summary>
    private (int Setup, int Slot)[] VotesOfPass(int p, int q)
    {
        var votes = new List<(int, int)>();
        for (var s = 0; s < counts.Setups.Count; s++)
        {
            var averaging = counts.Setups[s].Averaging;
            if (averaging == KnnAveraging.OverTestProcessings && q == p) votes.Add((s, counts.Slot(s, 0)));
            else if (averaging == KnnAveraging.OverPairs && q != p) votes.Add((s, counts.Slot(s, SetupCounts.OtherRank(p, q))));
        }
        return votes.ToArray();
    }

    private bool Correct(TopKHeaps a, int ha, TopKHeaps b, int hb, int label, int[] databaseLabels, Scratch s, bool single = false)
    {
        if (!single) return VoteCorrect(s, Merge(a, ha, b, hb, s), label, databaseLabels);
        a.Similarities(ha).CopyTo(s.Sims);
        a.Indices(ha).CopyTo(s.Indices);
        return VoteCorrect(s, a.Indices(ha).Length, label, databaseLabels);
    }

    private bool VoteCorrect(Scratch s, int n, int label, int[] databaseLabels)
    {
        if (n == 0) return false;
        for (var a = 0; a < n; a++) s.Labels[a] = databaseLabels[s.Indices[a]];
        return CosineKnn.Vote(s.Labels.AsSpan(0, n), s.Sims.AsSpan(0, n), tieBreak) == label;
    }

    /// <summary>The best k of two best-first lists (similarity descending, then index ascending) into the scratch.</summary>
    private int Merge(TopKHeaps a, int ha, TopKHeaps b, int hb, Scratch s)
    {
        Span<float> sa = a.Similarities(ha), sb = b.Similarities(hb);
        Span<int> ia = a.Indices(ha), ib = b.Indices(hb);
        int x = 0, y = 0, n = 0;
        while (n < k && (x < sa.Length || y < sb.Length))
        {
            var takeA = y >= sb.Length || (x < sa.Length && (sa[x] > sb[y] || (sa[x] == sb[y] && ia[x] < ib[y])));
            if (takeA) { s.Sims[n] = sa[x]; s.Indices[n++] = ia[x++]; }
            else { s.Sims[n] = sb[y]; s.Indices[n++] = ib[y++]; }
        }
        return n;
    }

    private sealed class Scratch(int slots, int k)
    {
        public readonly long[] Correct = new long[slots];
        public readonly float[] Sims = new float[k];
        public readonly int[] Indices = new int[k];
        public readonly int[] Labels = new int[k];
        public void Count(int slot, bool correct) { if (correct) Correct[slot]++; }
    }
}
