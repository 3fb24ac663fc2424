extern alias harness;

using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using harness::TraceProbe.Encoders;

namespace TraceProbe.Generators.Tests;

/// <summary>An encoders.json held in memory, handed to the generator as an AdditionalFile.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text, Encoding.UTF8);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

/// <summary>Runs <see cref="RegistryGenerator"/> the way the compiler does, against .NET 10 reference assemblies.</summary>
internal static class GeneratorRunner
{
    public const string JsonPath = "encoders.json";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>.NET 10 reference assemblies plus the harness, whose records the generated code constructs.</summary>
    public static readonly ImmutableArray<MetadataReference> References =
        [.. Basic.Reference.Assemblies.Net100.References.All, MetadataReference.CreateFromFile(typeof(EncoderSpec).Assembly.Location)];

    /// <summary>.NET 10 reference assemblies only (for compiling against the records' source instead).</summary>
    public static readonly ImmutableArray<MetadataReference> FrameworkReferences =
        [.. Basic.Reference.Assemblies.Net100.References.All];

    public static CSharpCompilation CreateCompilation(IEnumerable<MetadataReference>? references = null, params SyntaxTree[] trees) =>
        CSharpCompilation.Create(
            "GeneratorTests",
            trees,
            references ?? References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                generalDiagnosticOption: ReportDiagnostic.Error));

    public static GeneratorDriver CreateDriver(string json, string path = JsonPath) =>
        CSharpGeneratorDriver.Create(
            [new RegistryGenerator().AsSourceGenerator()],
            [new InMemoryAdditionalText(path, json)],
            ParseOptions,
            optionsProvider: null,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRunResult Run(string json, out Compilation output, out ImmutableArray<Diagnostic> diagnostics,
        IEnumerable<MetadataReference>? references = null, params SyntaxTree[] extraTrees)
    {
        var driver = CreateDriver(json).RunGeneratorsAndUpdateCompilation(
            CreateCompilation(references, extraTrees), out output, out diagnostics);
        return driver.GetRunResult().Results.Single();
    }

    /// <summary>The repository's root (the folder holding Harness.sln), found from the test's output folder.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Harness.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Harness.sln not found above " + AppContext.BaseDirectory);
    }
}
