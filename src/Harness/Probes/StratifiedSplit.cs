namespace TraceProbe.Probes;

/// <summary>Holds out a fixed share of every class (the paper's stratified 80/20 split of train).</summary>
internal static class StratifiedSplit
{
    /// <summary>Row indices of both sides, each in ascending order (friendlier to memory).</summary>
    /// <param name="truncate">
    /// Hold out ⌊fraction·n⌋ rows of a class (at least one), as the reference's <c>_split_trainval</c> does; otherwise
    /// the nearest count.
    /// </param>
    public static (int[] Train, int[] Validation) Split(int[] labels, int classes, double fraction, ProbeRandom random, bool truncate = false)
    {
        var byClass = new List<int>[classes];
        for (var c = 0; c < classes; c++)
            byClass[c] = [];
        for (var i = 0; i < labels.Length; i++)
            byClass[labels[i]].Add(i);

        var train = new List<int>(labels.Length);
        var validation = new List<int>();
        foreach (var members in byClass)
        {
            int[] shuffled = [.. members];
            random.Shuffle(shuffled);
            var held = truncate ? (int)(fraction * shuffled.Length) : (int)Math.Round(fraction * shuffled.Length, MidpointRounding.AwayFromZero);

            // Every class with two or more rows is seen on both sides.
            if (fraction > 0 && shuffled.Length >= 2)
                held = Math.Clamp(held, 1, shuffled.Length - 1);
            else
                held = Math.Clamp(held, 0, Math.Max(0, shuffled.Length - 1));
            validation.AddRange(shuffled.AsSpan(0, held));
            train.AddRange(shuffled.AsSpan(held));
        }

        int[] t = [.. train], v = [.. validation];
        Array.Sort(t);
        Array.Sort(v);
        return (t, v);
    }
}
