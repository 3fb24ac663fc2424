using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TraceProbe.Tests.Architecture;

/// <summary>
/// The layout follows the data's path, and docs/architecture.md's table says who may use whom: every use the compiler
/// resolves in the harness's sources (using lines, qualified and partially qualified names alike) is checked against it.
/// </summary>
public sealed partial class LayeringTests
{
    private static readonly string[] Below =
        ["Common", "Images", "Processing", "Acquisition", "Datasets", "Encoders", "EncoderInputs", "Embeddings", "Probes", "Neighbours", "Erasure", "Statistics"];

    [GeneratedRegex(@"^\|\s*(?<ns>[A-Za-z]+)\s*\|\s*(?<uses>[^|]*)\|\s*$")]
    private static partial Regex TableRow();

    /// <summary>docs/architecture.md's table: namespace → the namespaces it may use.</summary>
    private static Dictionary<string, HashSet<string>> Table()
    {
        var lines = File.ReadAllLines(Path.Combine(NamespaceGraph.RepositoryRoot(), "docs", "architecture.md"));
        var header = Array.FindIndex(lines, l => l.StartsWith("| namespace | uses |", StringComparison.Ordinal));
        Assert.True(header >= 0, "docs/architecture.md has no '| namespace | uses |' table.");
        var table = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var row = TableRow().Match(line);
            Assert.True(row.Success, $"docs/architecture.md: '{line}' is not a '| namespace | uses |' row.");
            var uses = row.Groups["uses"].Value.Trim();
            table[row.Groups["ns"].Value] = uses == "—" ? [] : uses.Split(',', StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        }
        return table;
    }

    [Fact]
    public void Every_use_between_namespaces_is_one_the_architecture_table_allows()
    {
        var table = Table();
        var offences = new List<string>();
        foreach (var (from, uses) in NamespaceGraph.Edges)
        {
            if (!table.TryGetValue(from, out var allowed)) { offences.Add($"{from} has no row in docs/architecture.md"); continue; }
            offences.AddRange(uses.Where(u => !allowed.Contains(u.Key)).Select(u => $"{from} uses {u.Key} ({u.Value}), which its row does not list"));
        }
        // And the table lists nothing that does not exist, so that it stays the map of the code.
        offences.AddRange(table.SelectMany(r => r.Value).Distinct().Where(ns => !table.ContainsKey(ns)).Select(ns => $"the table names {ns}, which has no row"));
        Assert.True(offences.Count == 0, string.Join("\n", offences));
    }

    [Fact]
    public void No_stage_below_the_suite_uses_experiments_results_reports_or_the_cli()
    {
        var offences = NamespaceGraph.Edges.Where(e => Below.Contains(e.Key))
            .SelectMany(e => e.Value.Where(u => u.Key is "Experiments" or "Results" or "Reports" or "Cli").Select(u => $"{e.Key} uses {u.Key} ({u.Value})"))
            .ToList();
        Assert.True(offences.Count == 0, string.Join("\n", offences));
        // The graph sees real uses: the suite does use Results.
        Assert.Contains("Results", NamespaceGraph.Edges["Experiments"].Keys);
    }

    [Fact]
    public void A_partially_qualified_name_counts_as_a_use()
    {
        // Inside namespace TraceProbe.Experiments, `Results.Summary` needs no using line and no TraceProbe. prefix.
        var tree = CSharpSyntaxTree.ParseText("""
            namespace TraceProbe.Results { public sealed class Summary { } }
            namespace TraceProbe.Experiments { internal static class Uses { public static Results.Summary? Last; } }
            """);
        var graph = NamespaceGraph.Of([tree], [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)]);
        Assert.Equal(["Results"], graph["Experiments"].Keys);
    }
}
