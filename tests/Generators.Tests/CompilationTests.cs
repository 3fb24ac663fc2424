extern alias harness;

using System.Reflection;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using harness::TraceProbe.Encoders;
using harness::TraceProbe.Experiments;

namespace TraceProbe.Generators.Tests;

public class CompilationTests
{
    private static string RepositoryJson() =>
        File.ReadAllText(Path.Combine(GeneratorRunner.RepositoryRoot(), "encoders.json"));

    [Fact]
    public void Generated_code_compiles_with_warnings_as_errors_against_the_harness_records()
    {
        GeneratorRunner.Run(TestRegistry.Json, out var output, out var generatorDiagnostics);

        Assert.Empty(generatorDiagnostics);
        // Every warning is an error in these options, so "no diagnostics at warning level or above" is the check.
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void Generated_specs_hold_the_json_values_at_run_time()
    {
        GeneratorRunner.Run(TestRegistry.Json, out var output, out _);
        var assembly = Load(output);

        var registry = assembly.GetType("TraceProbe.Encoders.EncoderRegistry")!;
        var all = (IReadOnlyList<EncoderSpec>)registry.GetProperty("All")!.GetValue(null)!;
        Assert.Equal(["openai/ViT-B-16@test", "resnet18-test"], all.Select(e => e.Id));

        var find = registry.GetMethod("Find")!;
        var clip = (EncoderSpec)find.Invoke(null, ["OPENAI/vit-b-16@TEST"])!;
        Assert.Equal(EncoderFamily.CVL, clip.Family);
        Assert.Equal(Interpolation.Bicubic, clip.Preprocessing.Interpolation);
        Assert.Equal([0.48145466f, 0.4578275f, 0.40821073f], clip.Preprocessing.Mean!);
        Assert.Equal(1.0, clip.Preprocessing.CropPct);
        Assert.True(clip.Input.DynamicBatch);
        Assert.Null(find.Invoke(null, ["nope"]));

        var resnet = all[1];
        Assert.Equal(EncoderFamily.Control, resnet.Family);
        Assert.Equal("ResNet-18 \"test\"", resnet.DisplayName);
        Assert.Equal(ResizeMode.Squash, resnet.Preprocessing.ResizeMode);
        Assert.Null(resnet.Preprocessing.Mean);
        Assert.Equal("resnet18/ResNetPreprocess.onnx", resnet.Preprocessing.MeanImageModel);
        Assert.Equal(ChannelOrder.BGR, resnet.Preprocessing.ChannelOrder);
        Assert.Equal((InputLayout.NCHW, InputDType.Float32, false), (resnet.Input.Layout, resnet.Input.DType, resnet.Input.DynamicBatch));
        Assert.False(resnet.L2Normalize);

        var adapter = assembly.GetType("TraceProbe.Encoders.Generated.Resnet18Test")!;
        Assert.Equal(512, adapter.GetField("EmbeddingDim")!.GetValue(null));
        Assert.Equal("Input247", adapter.GetField("InputName")!.GetValue(null));

        var sharpen = assembly.GetType("TraceProbe.Experiments.Generated.SharpenTestExperiment")!;
        var label = assembly.GetType("TraceProbe.Experiments.Generated.SharpenTestLabel")!;
        Assert.Equal(["NONE", "SHARPEN_2", "SHARPEN_4"], Enum.GetNames(label));
        var ops = (IReadOnlyList<string>)sharpen.GetMethod("OpsOf")!.Invoke(null, [Enum.Parse(label, "SHARPEN_2")])!;
        Assert.Equal(["SHARPEN_2", "JPEG95_444"], ops);
        var spec = (TraceTaskSpec)sharpen.GetProperty("Spec")!.GetValue(null)!;
        Assert.Equal(TraceKind.Processing, spec.Kind);
        Assert.Equal("10", spec.Defaults["seeds"]);

        var make = assembly.GetType("TraceProbe.Experiments.Generated.MakeTestExperiment")!;
        var makeLabel = assembly.GetType("TraceProbe.Experiments.Generated.MakeTestLabel")!;
        Assert.Equal(["Canon", "NIKON_CORPORATION", "f_2_8"], Enum.GetNames(makeLabel));
        var exif = (IReadOnlyDictionary<string, string>)make.GetMethod("ExifOf")!.Invoke(null, [Enum.Parse(makeLabel, "f_2_8")])!;
        Assert.Equal("2.8", exif["aperture"]);
        Assert.Equal("false", exif["smartphone"]);
        var makeSpec = (TraceTaskSpec)make.GetProperty("Spec")!.GetValue(null)!;
        Assert.Equal(("make", 0.9), (makeSpec.Attribute, makeSpec.MaskRatio));

        object?[] parse = ["NIKON CORPORATION", null];
        Assert.True((bool)make.GetMethod("TryParseLabel")!.Invoke(null, parse)!);
        Assert.Equal(Enum.Parse(makeLabel, "NIKON_CORPORATION"), parse[1]);

        // Classes chosen from the data: no label enum, an empty class list, the attribute and defaults kept.
        var exposure = assembly.GetType("TraceProbe.Experiments.Generated.ExposureTestExperiment")!;
        Assert.Null(assembly.GetType("TraceProbe.Experiments.Generated.ExposureTestLabel"));
        Assert.Equal("exposure", exposure.GetField("Attribute")!.GetValue(null));
        var exposureSpec = (TraceTaskSpec)exposure.GetProperty("Spec")!.GetValue(null)!;
        Assert.Equal((TraceKind.Acquisition, 0, "exposure"), (exposureSpec.Kind, exposureSpec.Classes.Count, exposureSpec.Attribute));
        Assert.Equal(("5", "100"), (exposureSpec.Defaults["top_k"], exposureSpec.Defaults["min_per_class"]));

        var tasks = (IReadOnlyList<TraceTaskSpec>)assembly.GetType("TraceProbe.Experiments.ExperimentRegistry")!.GetProperty("All")!.GetValue(null)!;
        Assert.Equal(["sharpen-test", "make-test", "exposure-test"], tasks.Select(t => t.Id));
    }

    [Fact]
    public void Repository_encoders_json_generates_without_diagnostics_and_compiles()
    {
        // Compiled against the records' source rather than the harness assembly, whose own generated
        // types (from this same file) would otherwise collide with the ones generated here.
        var root = GeneratorRunner.RepositoryRoot();
        var records = new[] { "src/Harness/Encoders/EncoderSpec.cs", "src/Vocabulary/RegistryVocabulary.cs", "src/Vocabulary/TraceKinds.cs", "src/Harness/Experiments/TraceTaskSpec.cs" }
            .Select(p => CSharpSyntaxTree.ParseText(File.ReadAllText(Path.Combine(root, p)), GeneratorRunner.ParseOptions, path: p))
            .Append(CSharpSyntaxTree.ParseText(
                "global using System;\nglobal using System.Collections.Generic;\n", GeneratorRunner.ParseOptions, path: "GlobalUsings.cs"))
            .ToArray();

        GeneratorRunner.Run(RepositoryJson(), out var output, out var diagnostics, GeneratorRunner.FrameworkReferences, records);

        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void Harness_registry_matches_the_repository_json()
    {
        using var json = JsonDocument.Parse(RepositoryJson());
        var encoders = json.RootElement.GetProperty("encoders").EnumerateArray().ToList();

        Assert.Equal(encoders.Count, EncoderRegistry.All.Count);
        for (var i = 0; i < encoders.Count; i++)
        {
            var entry = encoders[i];
            var spec = EncoderRegistry.All[i];
            Assert.Equal(entry.GetProperty("id").GetString(), spec.Id);
            Assert.Equal(entry.GetProperty("family").GetString(), spec.Family == EncoderFamily.Control ? "control" : spec.Family.ToString());
            var size = entry.GetProperty("input").GetProperty("image_size");
            Assert.Equal((size[0].GetInt32(), size[1].GetInt32()), (spec.Input.Height, spec.Input.Width));
            Assert.Equal(entry.GetProperty("output").GetProperty("dim").GetInt32(), spec.Output.Dim);
            Assert.Same(spec, EncoderRegistry.Find(spec.Id.ToUpperInvariant()));
        }

        var tasks = json.RootElement.TryGetProperty("tasks", out var t) ? t.EnumerateArray().ToList() : [];
        Assert.Equal(tasks.Select(x => x.GetProperty("id").GetString()), ExperimentRegistry.All.Select(x => x.Id));
        Assert.All(ExperimentRegistry.All, task => Assert.Same(task, ExperimentRegistry.Find(task.Id)));
    }

    [Fact]
    public void Repository_registry_holds_the_papers_47_encoders_as_the_export_tool_writes_them()
    {
        // The paper's 47 (24 CVL, 11 SUP, 12 SSL) plus the offline ResNet-18 from NuGet and the random-init
        // control models that check the export path (library torchvision).
        var paper = EncoderRegistry.All.Where(e => e.Source.Library is not ("nuget" or "torchvision")).ToList();
        Assert.Equal(47, paper.Count);
        Assert.Equal(
            [(EncoderFamily.CVL, 24), (EncoderFamily.SUP, 11), (EncoderFamily.SSL, 12)],
            paper.GroupBy(e => e.Family).Select(g => (g.Key, g.Count())).OrderBy(x => x.Key));
        Assert.All(paper, e =>
        {
            // tools/export_onnx.py names the graph's input and output, and the file, this way.
            Assert.Equal(("pixel_values", "embedding", e.Id + "/model.onnx"), (e.Input.Name, e.Output.Name, e.Model.Path));
            Assert.True(e.Input.DynamicBatch, e.Id);
        });
        Assert.Equal("nuget", EncoderRegistry.Find("resnet18")!.Source.Library);
        Assert.All(EncoderRegistry.All.Where(e => e.Source.Library == "torchvision"), e =>
            Assert.Equal((EncoderFamily.Control, "random"), (e.Family, e.Source.Pretrained)));
        // MoCo v3 is not on torch.hub: the export tool downloads its published checkpoints.
        Assert.All(EncoderRegistry.All.Where(e => e.Id.StartsWith("mocov3", StringComparison.Ordinal)), e =>
            Assert.Equal("checkpoint", e.Source.Library));
    }

    private static Assembly Load(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return Assembly.Load(stream.ToArray());
    }
}
