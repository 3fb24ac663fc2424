namespace TraceProbe.Embeddings;

/// <summary>How a file's items were laid out, which decides how `probe` and `knn` read it.</summary>
public enum ItemLayout
{
    /// <summary>Quick mode: crops of photos, each training crop under one class, held-out crops under every class.</summary>
    Quick,
    /// <summary>Paper mode: every image under every class; test = the dataset's val; the probe draws one class per training image.</summary>
    Paper,
}

/// <summary>The layout's token in a file's metadata (<c>layout</c>), and the older spelling files still carry.</summary>
public static class ItemLayouts
{
    public static string Token(this ItemLayout layout) => layout == ItemLayout.Paper ? "paper" : "quick";

    /// <summary>
    /// Files written before the token existed name paper mode by this sentence under <c>mode</c> (and name nothing in
    /// quick mode): read as <see cref="ItemLayout.Paper"/>.
    /// </summary>
    public const string LegacyPaperSentence = "paper (test = the dataset's val split; every image under every class)";

    public static ItemLayout Parse(string? token, string source) => token switch
    {
        null or "quick" => ItemLayout.Quick,
        "paper" or LegacyPaperSentence => ItemLayout.Paper,
        _ => throw new InvalidDataException($"{source}: layout '{token}' is neither 'quick' nor 'paper'."),
    };
}
