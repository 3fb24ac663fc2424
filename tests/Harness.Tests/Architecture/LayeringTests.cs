using System.Text.RegularExpressions;

namespace TraceProbe.Tests.Architecture;

/// <summary>
/// The layout follows the data's path: the stages below Experiments know nothing of the suite, its results or
/// its front end. Checked on the sources (a using or a qualified name is the only way one namespace reaches another's types).
/// </summary>
public sealed partial class LayeringTests
{
    private static readonly string[] Stages =
        ["Common", "Images", "Processing", "Acquisition", "Datasets", "Encoders", "EncoderInputs", "Embeddings", "Probes", "Neighbours", "Erasure", "Statistics"];

    private static readonly string[] Above = ["Experiments", "Results", "Reports", "Cli"];

    [GeneratedRegex(@"\bTraceProbe\.(?<ns>[A-Za-z]+)\b")]
    private static partial Regex NamespaceUse();

    private static string HarnessSources()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Harness.sln")))
                return Path.Combine(dir.FullName, "src", "Harness");
        throw new DirectoryNotFoundException($"No Harness.sln above {AppContext.BaseDirectory}: the tests run inside the repository.");
    }

    private static IEnumerable<(string File, string Used)> Uses(string folder) =>
        Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => NamespaceUse().Matches(File.ReadAllText(f)).Select(m => (f, m.Groups["ns"].Value)));

    [Fact]
    public void No_stage_below_the_suite_uses_experiments_results_reports_or_the_cli()
    {
        var src = HarnessSources();
        var offences = Stages.Where(s => Directory.Exists(Path.Combine(src, s)))
            .SelectMany(s => Uses(Path.Combine(src, s)).Where(u => Above.Contains(u.Used))
                .Select(u => $"{Path.GetRelativePath(src, u.File)} uses TraceProbe.{u.Used}"))
            .Distinct().ToList();
        Assert.True(offences.Count == 0, string.Join("\n", offences));
        // The check sees real uses: Experiments does use Results.
        Assert.Contains(Uses(Path.Combine(src, "Experiments")), u => u.Used == "Results");
    }

    [Fact]
    public void Only_the_cli_uses_the_cli_and_reports_use_nothing_above_results()
    {
        var src = HarnessSources();
        var offences = Directory.EnumerateDirectories(src).Select(Path.GetFileName).OfType<string>()
            .Where(d => d is not ("Cli" or "bin" or "obj"))
            .SelectMany(d => Uses(Path.Combine(src, d)).Where(u => u.Used == "Cli" || (d == "Reports" && u.Used == "Experiments"))
                .Select(u => $"{Path.GetRelativePath(src, u.File)} uses TraceProbe.{u.Used}"))
            .Distinct().ToList();
        Assert.True(offences.Count == 0, string.Join("\n", offences));
    }
}
