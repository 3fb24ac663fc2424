using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TraceProbe.Tests.Architecture;

/// <summary>
/// Which TraceProbe namespace uses which, as the compiler sees it: the harness's sources (and the shared vocabulary)
/// compiled with the test's references, every name resolved by the semantic model, so that <c>Results.Summary</c>
/// written inside <c>namespace TraceProbe.Experiments</c> counts as a use of Results as a using line would.
/// </summary>
public static class NamespaceGraph
{
    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> Graph = new(Build);

    /// <summary>Namespace → (used namespace → the first file and name that uses it).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Edges => Graph.Value;

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Harness.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No Harness.sln above {AppContext.BaseDirectory}: the tests run inside the repository.");
    }

    /// <summary>"TraceProbe.Encoders.Generated" → "Encoders"; null outside TraceProbe.</summary>
    public static string? Stage(INamespaceSymbol? ns)
    {
        var parts = ns?.ToDisplayString().Split('.') ?? [];
        return parts.Length >= 2 && parts[0] == "TraceProbe" ? parts[1] : null;
    }

    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Build()
    {
        var root = RepositoryRoot();
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new[] { Path.Combine(root, "src", "Harness"), Path.Combine(root, "src", "Vocabulary") }
            .SelectMany(f => Directory.EnumerateFiles(f, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), options, Path.GetRelativePath(root, f)))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, options, "ImplicitUsings.cs"))
            .ToList();
        // The platform and the packages beside the tests; not the harness itself (its types are the sources here).
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(p => Path.GetFileName(p) is not ("traceprobe.dll" or "Harness.Tests.dll"))
            .DistinctBy(Path.GetFileName)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
        return Of(trees, references);
    }

    /// <summary>The graph of these sources (compiled with these references).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Of(IReadOnlyList<SyntaxTree> trees, IEnumerable<MetadataReference> references)
    {
        var compilation = CSharpCompilation.Create("layering", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

        var edges = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                // A using line or a namespace's own name is no use of a type (an alias's uses resolve to the type they name).
                if (name.Ancestors().Any(a => a is UsingDirectiveSyntax)) continue;
                if (name.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().Any(n => n.Name.Span.Contains(name.Span))) continue;
                var from = Stage(model.GetEnclosingSymbol(name.SpanStart)?.ContainingNamespace);
                var symbol = model.GetSymbolInfo(name).Symbol ?? model.GetSymbolInfo(name).CandidateSymbols.FirstOrDefault();
                var used = symbol switch
                {
                    INamespaceSymbol => null,
                    ITypeSymbol t => Stage(t.ContainingNamespace),
                    { ContainingType: { } type } => Stage(type.ContainingNamespace),
                    _ => null,
                };
                if (from is null || used is null || used == from) continue;
                if (!edges.TryGetValue(from, out var uses)) edges[from] = uses = new Dictionary<string, string>(StringComparer.Ordinal);
                uses.TryAdd(used, $"{tree.FilePath}: {name}");
            }
        }
        return edges.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, string>)kv.Value, StringComparer.Ordinal);
    }

    // The SDK's implicit usings for a console program (Harness.csproj has ImplicitUsings on).
    private const string ImplicitUsings =
        "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; " +
        "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";
}
