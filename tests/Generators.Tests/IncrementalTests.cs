using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TraceProbe.Generators.Tests;

public class IncrementalTests
{
    private static readonly string[] TrackedSteps = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    /// <summary>The test registry with an unknown field, so that the Diagnostics step has an output too.</summary>
    private static readonly string JsonWithWarning =
        TestRegistry.Json.Replace("\"l2_normalize\": false", "\"l2_normalize\": false, \"notes\": \"x\"");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Unrelated_edit_leaves_every_tracked_step_cached_or_unchanged(bool withDiagnostic)
    {
        var json = withDiagnostic ? JsonWithWarning : TestRegistry.Json;
        var compilation = GeneratorRunner.CreateCompilation();
        var driver = GeneratorRunner.CreateDriver(json).RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();

        var edited = compilation.Clone().AddSyntaxTrees(
            CSharpSyntaxTree.ParseText("namespace Unrelated { internal static class Edit { } }", GeneratorRunner.ParseOptions));
        var second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        // Every step ran; Diagnostics has no outputs (and so no entry) when the registry is clean.
        Assert.Equal(TrackedSteps.Where(s => withDiagnostic || s != TrackingNames.Diagnostics).OrderBy(s => s),
            second.TrackedSteps.Keys.Where(TrackedSteps.Contains).OrderBy(s => s));
        foreach (var name in TrackedSteps)
        {
            foreach (var step in second.TrackedSteps.GetValueOrDefault(name, []))
            {
                foreach (var (_, reason) in step.Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                        $"step {name} ran again: {reason}");
                }
            }
        }
        foreach (var (_, steps) in second.TrackedOutputSteps)
        {
            Assert.All(steps.SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        }
        Assert.Equal(first.GeneratedSources.Select(s => s.SourceText.ToString()), second.GeneratedSources.Select(s => s.SourceText.ToString()));
    }

    [Fact]
    public void No_step_output_holds_compiler_objects()
    {
        var driver = GeneratorRunner.CreateDriver(JsonWithWarning).RunGenerators(GeneratorRunner.CreateCompilation());
        var result = driver.GetRunResult().Results.Single();
        Assert.NotEmpty(result.TrackedSteps[TrackingNames.Diagnostics]);

        foreach (var name in TrackedSteps)
        {
            foreach (var step in result.TrackedSteps.GetValueOrDefault(name, []))
            {
                foreach (var (value, _) in step.Outputs) AssertNoCompilerObjects(value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }
    }

    [Fact]
    public void Editing_one_entry_reemits_only_that_entry()
    {
        var result = RunEdited("\"display_name\": \"Sharpening\"", "\"display_name\": \"Sharpening (edited)\"");

        Assert.Contains(result.TrackedSteps[TrackingNames.Parsed].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        var tasks = result.TrackedSteps[TrackingNames.Tasks].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal([IncrementalStepRunReason.Modified, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Unchanged], tasks);
        Assert.All(result.TrackedSteps[TrackingNames.Encoders].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
        Assert.All(result.TrackedSteps[TrackingNames.TaskIndex].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
        Assert.Contains("Sharpening (edited)", result.GeneratedSources.Single(s => s.HintName.Contains("SharpenTest")).SourceText.ToString());
    }

    [Fact]
    public void Editing_one_part_of_one_encoder_reemits_only_that_encoder()
    {
        // A value deep in the nested model: resnet18-test's preprocessing.
        var result = RunEdited("\"interpolation\": \"bilinear\"", "\"interpolation\": \"bicubic\"");

        var encoders = result.TrackedSteps[TrackingNames.Encoders].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal([IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Modified], encoders);
        Assert.All(result.TrackedSteps[TrackingNames.Tasks].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
        Assert.All(result.TrackedSteps[TrackingNames.EncoderIndex].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
        var resnet = result.GeneratedSources.Single(s => s.HintName.Contains("Resnet18Test")).SourceText.ToString();
        Assert.Contains("Interpolation: global::TraceProbe.Encoders.Interpolation.Bicubic,", resnet);
    }

    /// <summary>Walks an output's object graph: models must be plain data, never a Compilation, symbol or syntax node.</summary>
    private static void AssertNoCompilerObjects(object? value, string step, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum) return;
        Assert.False(value is Compilation or ISymbol or SyntaxNode or SyntaxTree or SemanticModel or Location,
            $"step {step} holds a {value.GetType().Name}");
        if (!value.GetType().IsValueType && !seen.Add(value)) return;
        if (value is IEnumerable items)
        {
            foreach (var item in items) AssertNoCompilerObjects(item, step, seen);
            return;
        }
        for (var type = value.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                AssertNoCompilerObjects(field.GetValue(value), step, seen);
            }
        }
    }

    /// <summary>Runs the generator on the test registry, then again with one text replaced; the second run's result.</summary>
    private static GeneratorRunResult RunEdited(string before, string after)
    {
        var compilation = GeneratorRunner.CreateCompilation();
        var original = new InMemoryAdditionalText(GeneratorRunner.JsonPath, TestRegistry.Json);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new RegistryGenerator().AsSourceGenerator()], [original], GeneratorRunner.ParseOptions, null,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGenerators(compilation);
        var changedJson = TestRegistry.Json.Replace(before, after);
        Assert.NotEqual(TestRegistry.Json, changedJson);
        driver = driver.ReplaceAdditionalText(original, new InMemoryAdditionalText(GeneratorRunner.JsonPath, changedJson));
        return driver.RunGenerators(compilation.Clone()).GetRunResult().Results.Single();
    }
}
