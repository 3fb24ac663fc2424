namespace TraceProbe.Neighbours;

/// <summary>
/// Derives every set-up's k neighbours from the pair lists, votes, and counts correct queries.
/// For test processing p and database processing q (own = the query's class, other = the rest):
/// all-same = own(p,p) ∪ other(p,p); pos-same(q) = own(p,p) ∪ other(p,q); neg-same(q) = own(p,q) ∪ other(p,p);
/// all-diff(q) = own(p,q) ∪ other(p,q); uniform seed t = ∪_q seed-t list(p,q). The sets of each union are
/// disjoint, so the top-k of the union is the top-k of the merged lists: exactly what a pass over the whole
/// set-up's database would keep.
/// </summary>
internal sealed class SetupVotes(int processings, int seeds, int k, KnnVoteTieBreak tieBreak)
{
    /// <summary>Correct-query counters of one test processing: all-same, then (pos, neg, diff) per q ≠ p, then one per seed.</summary>
    public int Slots => 1 + 3 * (processings - 1) + seeds;
    public const int AllSame = 0;
    public static int Other(int p, int q) => q < p ? q : q - 1;
    public static int Pos(int other) => 1 + 3 * other;
    public static int Neg(int other) => 2 + 3 * other;
    public static int Diff(int other) => 3 + 3 * other;
    public int Uniform(int seed) => 1 + 3 * (processings - 1) + seed;

    /// <summary>
    /// Prepares the pass lists of (p, q): own and other empty; each seed's list started from its running
    /// top-k over the earlier q (disjoint items), so its floor is high from the start and the pass ends
    /// with the merged list, instead of offering every item of q's share to an empty list.
    /// </summary>
    public void StartPass(TopKHeaps pass, TopKHeaps uniformLists, int rows)
    {
        pass.Clear();
        var per = PairLists.Count(seeds);
        for (var i = 0; i < rows; i++)
            for (var t = 0; t < seeds; t++)
                pass.StartFrom(i * per + PairLists.Seed(t), uniformLists.Similarities(i * seeds + t), uniformLists.Indices(i * seeds + t));
    }

    /// <summary>
    /// Folds one finished (p, q) pass (sorted <paramref name="pass"/> lists) into the counts of p. On q = p it
    /// stores own(p,p) and other(p,p) in <paramref name="sameLists"/> for the later pairs; the seeds' running
    /// lists live in <paramref name="uniformLists"/> (continued by the pass, see <see cref="StartPass"/>); <paramref name="lastPair"/> closes the uniform votes.
    /// <paramref name="correct"/> holds [P × slots] counts, then each query's correct votes per set-up [5 × all queries]
    /// (for intervals over query photos); this block's queries start at <paramref name="firstQuery"/>.
    /// </summary>
    public void Fold(int p, int q, bool lastPair, int[] queryLabels, int[] databaseLabels,
        TopKHeaps pass, TopKHeaps sameLists, TopKHeaps uniformLists, long[] correct, int firstQuery, int allQueries, int maxDegreeOfParallelism)
    {
        var nq = queryLabels.Length;
        var perQuery = processings * Slots + firstQuery;
        // Each query is folded by one thread: its per-query entries need no lock.
        void PerQuery(KnnSetup setup, int i, bool hit) { if (hit) correct[perQuery + (int)setup * allQueries + i]++; }
        var per = PairLists.Count(seeds);
        var slots = Slots;
        var o = q == p ? -1 : Other(p, q);
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
                    var hit = Correct(pass, own, pass, other, label, databaseLabels, s);
                    s.Count(AllSame, hit);
                    PerQuery(KnnSetup.AllSame, i, hit);
                }
                else
                {
                    var pos = Correct(sameLists, 2 * i, pass, other, label, databaseLabels, s);
                    var neg = Correct(pass, own, sameLists, 2 * i + 1, label, databaseLabels, s);
                    var diff = Correct(pass, own, pass, other, label, databaseLabels, s);
                    s.Count(Pos(o), pos); PerQuery(KnnSetup.PosSame, i, pos);
                    s.Count(Neg(o), neg); PerQuery(KnnSetup.NegSame, i, neg);
                    s.Count(Diff(o), diff); PerQuery(KnnSetup.AllDiff, i, diff);
                }
                for (var t = 0; t < seeds; t++)
                {
                    // The pass continued the seed's running list (StartPass), so it is the merged list already.
                    var list = i * per + PairLists.Seed(t);
                    uniformLists.Set(i * seeds + t, pass.Similarities(list), pass.Indices(list));
                    if (!lastPair) continue;
                    var hit = Correct(pass, list, pass, list, label, databaseLabels, s, single: true);
                    s.Count(Uniform(t), hit);
                    PerQuery(KnnSetup.Uniform, i, hit);
                }
                return s;
            },
            s => { lock (correct) for (var j = 0; j < slots; j++) correct[p * slots + j] += s.Correct[j]; });
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
