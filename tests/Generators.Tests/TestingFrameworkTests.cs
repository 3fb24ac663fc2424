using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace TraceProbe.Generators.Tests;

/// <summary>
/// The same checks through Roslyn's source-generator testing package, which also verifies that the
/// generated code compiles. The package's own reference-assembly download is not used: the .NET 10
/// references come from Basic.Reference.Assemblies.
/// </summary>
public class TestingFrameworkTests
{
    private static CSharpSourceGeneratorTest<RegistryGenerator, DefaultVerifier> Test(string json)
    {
        var test = new CSharpSourceGeneratorTest<RegistryGenerator, DefaultVerifier>
        {
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
            TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck,
        };
        test.TestState.Sources.Add("internal static class Consumer { }");
        test.TestState.AdditionalFiles.Add((GeneratorRunner.JsonPath, json));
        test.TestState.AdditionalReferences.AddRange(GeneratorRunner.References);
        return test;
    }

    [Fact]
    public async Task Clean_registry_generates_compilable_code_without_diagnostics()
    {
        await Test(TestRegistry.Json).RunAsync();
    }

    [Fact]
    public async Task Two_element_mean_is_reported_on_the_array()
    {
        var json = TestRegistry.Json.Replace("[0.48145466, 0.4578275, 0.40821073]", "[0.48145466, 0.4578275]");
        var line = json.Split('\n').ToList().FindIndex(l => l.Contains("\"mean\"")) + 1;
        var column = json.Split('\n')[line - 1].IndexOf('[') + 1;

        var test = Test(json);
        test.TestState.ExpectedDiagnostics.Add(
            new DiagnosticResult("TP0004", DiagnosticSeverity.Error)
                .WithSpan(GeneratorRunner.JsonPath, line, column, line, column + "[0.48145466, 0.4578275]".Length)
                .WithArguments("encoder 'openai/ViT-B-16@test'", "preprocessing.mean", "3 (one per channel)", "2"));
        await test.RunAsync();
    }

    [Fact]
    public async Task Stray_comma_is_reported_at_the_comma()
    {
        var json = TestRegistry.Json.Replace("\"embedding\": \"pooled\", \"dim\": 512 }", "\"embedding\": \"pooled\", \"dim\": 512, }");
        Assert.NotEqual(TestRegistry.Json, json);
        var line = json.Split('\n').ToList().FindIndex(l => l.Contains("512, }")) + 1;
        var column = json.Split('\n')[line - 1].IndexOf("512, }", StringComparison.Ordinal) + 4;

        var test = Test(json);
        test.TestState.ExpectedDiagnostics.Add(
            new DiagnosticResult("TP0001", DiagnosticSeverity.Error)
                .WithSpan(GeneratorRunner.JsonPath, line, column, line, column + 1)
                .WithArguments("trailing comma before '}'"));
        await test.RunAsync();
    }
}
