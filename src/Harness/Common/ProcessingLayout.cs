
namespace TraceProbe.Common;

/// <summary>
/// How a processing task's data is laid out, independent of the probe's optimiser (<c>--protocol</c>): random crops of a
/// few photos (quick), or whole images of the dataset's own train/val split, each under every class (the paper's).
/// </summary>
public enum ProcessingLayout
{
    /// <summary>Random crops of a few photos; training crops under one random class, held-out crops under every class.</summary>
    QuickCrops,
    /// <summary>Whole images of the dataset's train/val sides, each under every class (the reference code's layout).</summary>
    PaperWholeImages,
}

/// <summary>The layout's short token, as the command line and the embeddings file write it, and its reader.</summary>
public static class ProcessingLayouts
{
    public const string QuickToken = "quick", PaperToken = "paper";

    /// <summary>
    /// The sentence paper-mode embeddings files recorded as their <c>mode</c> before the token existed; read as paper so
    /// that those files keep their meaning (val against train, every image under every class).
    /// </summary>
    public const string LegacyPaperSentence = "paper (test = the dataset's val split; every image under every class)";

    public static string Token(this ProcessingLayout layout) => layout == ProcessingLayout.PaperWholeImages ? PaperToken : QuickToken;

    /// <summary>
    /// A file's recorded mode: absent (files of quick runs record none) is quick; the token or the legacy sentence is
    /// itself; anything else is refused, naming where it was read, rather than misread as quick.
    /// </summary>
    public static ProcessingLayout Parse(string? recorded, string source)
    {
        if (string.IsNullOrEmpty(recorded) || recorded == QuickToken) return ProcessingLayout.QuickCrops;
        if (recorded == PaperToken || recorded == LegacyPaperSentence) return ProcessingLayout.PaperWholeImages;
        throw new InvalidDataException(
            $"{source}: mode '{recorded}' is neither '{QuickToken}' nor '{PaperToken}' (nor a paper-mode file's older sentence); " +
            "rewrite the file with this version of traceprobe, or set its mode to one of the two.");
    }

    /// <summary>A command-line value: "quick" or "paper" (any case).</summary>
    public static ProcessingLayout ParseOption(string text, string option = "--layout") => text.ToLowerInvariant() switch
    {
        QuickToken => ProcessingLayout.QuickCrops,
        PaperToken => ProcessingLayout.PaperWholeImages,
        _ => throw new SettingsException($"{option} '{text}': expected '{QuickToken}' (crops of a few photos) or '{PaperToken}' (whole images of the dataset's train/val)."),
    };
}
