using Microsoft.CodeAnalysis;

namespace TraceProbe.Generators.Tests;

/// <summary>
/// Each diagnostic, provoked by one edit of the test registry, with the exact span it points at.
/// The expected span is found in the edited text: the <c>marker</c>'s position plus <c>offset</c>, for
/// <c>length</c> characters (-1: up to the brace that closes the object starting there).
/// </summary>
public class DiagnosticTests
{
    public static TheoryData<string, string, string, string, string, int, int> Cases => new()
    {
        // id, find, replace, marker, offset, length
        { "TP0001", "stray comma", "\"embedding\": \"projected\", \"dim\": 512 }", "\"embedding\": \"projected\", \"dim\": 512, }", "512, }", 3, 1 },
        { "TP0001", "missing quotes", "\"layout\": \"NCHW\"", "\"layout\": NCHW", "NCHW", 0, 4 },
        { "TP0001", "missing comma", "\"dtype\": \"float32\", \"image_size\": [224, 224], \"dynamic_batch\": true", "\"dtype\": \"float32\" \"image_size\": [224, 224], \"dynamic_batch\": true", "\"image_size\": [224, 224], \"dynamic", 0, 1 },
        { "TP0002", "missing dim", "\"embedding\": \"projected\", \"dim\": 512 }", "\"embedding\": \"projected\" }", "{ \"name\": \"image_embeds\"", 0, -1 },
        { "TP0003", "unknown family", "\"family\": \"CVL\"", "\"family\": \"VLM\"", "\"VLM\"", 0, 5 },
        { "TP0003", "unknown interpolation", "\"interpolation\": \"bicubic\"", "\"interpolation\": \"cubic\"", "\"cubic\"", 0, 7 },
        { "TP0003", "unknown layout", "\"layout\": \"NCHW\"", "\"layout\": \"NHCW\"", "\"NHCW\"", 0, 6 },
        { "TP0003", "unknown dtype", "\"dtype\": \"float32\"", "\"dtype\": \"bfloat16\"", "\"bfloat16\"", 0, 10 },
        { "TP0003", "interpolation outside Pillow's six", "\"interpolation\": \"bicubic\"", "\"interpolation\": \"antialias\"", "\"antialias\"", 0, 11 },
        { "TP0003", "unknown library", "\"library\": \"openai-clip\"", "\"library\": \"clip\"", "\"clip\"", 0, 6 },
        { "TP0003", "unknown resize mode", "\"resize_mode\": \"squash\"", "\"resize_mode\": \"stretch\"", "\"stretch\"", 0, 9 },
        { "TP0003", "unknown embedding", "\"embedding\": \"pooled\"", "\"embedding\": \"pool\"", "\"pool\"", 0, 6 },
        { "TP0004", "two-element mean", "[0.48145466, 0.4578275, 0.40821073]", "[0.48145466, 0.4578275]", "[0.48145466, 0.4578275]", 0, 23 },
        { "TP0004", "four-element std", "[0.26862954, 0.26130258, 0.27577711]", "[0.26862954, 0.26130258, 0.27577711, 1]", "[0.26862954", 0, 39 },
        { "TP0005", "duplicate id", "\"id\": \"resnet18-test\"", "\"id\": \"OPENAI/vit-b-16@TEST\"", "\"OPENAI/vit-b-16@TEST\"", 0, 22 },
        { "TP0006", "unknown op", "[\"SHARPEN_4\", \"JPEG95_444\"]", "[\"SHARPEN_4\", \"JPEG101_444\"]", "\"JPEG101_444\"", 0, 13 },
        { "TP0007", "dim as a string", "\"embedding\": \"pooled\", \"dim\": 512", "\"embedding\": \"pooled\", \"dim\": \"512\"", "\"512\"", 0, 5 },
        { "TP0008", "mean without std", "\"std\": [0.26862954, 0.26130258, 0.27577711],", "", "{\n        \"resize_mode\": \"shortest\"", 0, -1 },
        { "TP0009", "colliding generated names", "\"id\": \"resnet18-test\"", "\"id\": \"Openai_ViT_B_16_Test\"", "\"Openai_ViT_B_16_Test\"", 0, 22 },
        { "TP0010", "crop_pct above 1", "\"crop_pct\": 1.0", "\"crop_pct\": 1.5", "1.5", 0, 3 },
        // The harness's mask refuses 100% (no image left) and a ratio of 1: so does the build, at the value.
        { "TP0006", "MASK_100", "[\"SHARPEN_4\", \"JPEG95_444\"]", "[\"SHARPEN_4\", \"MASK_100\"]", "\"MASK_100\"", 0, 10 },
        { "TP0010", "mask_ratio of 1", "\"mask_ratio\": 0.9", "\"mask_ratio\": 1", "\"mask_ratio\": 1", 14, 1 },
        { "TP0002", "classes from the data without an attribute", "\"attribute\": \"exposure\",", "", "{\n      \"id\": \"exposure-test\"", 0, -1 },
        { "TP0010", "chance disagreeing with top_k", "\"chance\": 0.2,", "\"chance\": 0.25,", "0.25", 0, 4 },
        { "TP0010", "chance without top_k", "\"defaults\": { \"top_k\": 5, \"min_per_class\": 100 }", "\"defaults\": { \"min_per_class\": 100 }", "0.2,", 0, 3 },
        { "TP0010", "empty acquisition classes", "\"chance\": 0.2,", "\"classes\": [],", "[]", 0, 2 },
        { "TP0012", "uint8 input the runtime cannot feed", "\"dtype\": \"float32\"", "\"dtype\": \"uint8\"", "\"uint8\"", 0, 7 },
        { "TP0011", "unknown field", "\"l2_normalize\": false", "\"l2_normalize\": false, \"notes\": \"x\"", "\"notes\"", 0, 7 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_the_diagnostic_at_its_span(string id, string what, string find, string replace, string marker, int offset, int length)
    {
        Assert.Contains(find, TestRegistry.Json);
        var json = ReplaceFirst(TestRegistry.Json, find, replace);
        var start = json.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(start >= 0, $"{what}: marker not found");
        start += offset;
        if (length < 0) length = ClosingBrace(json, start) + 1 - start;

        GeneratorRunner.Run(json, out var output, out var diagnostics);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(GeneratorRunner.JsonPath, diagnostic.Location.GetLineSpan().Path);
        Assert.Equal((start, length), (diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        var (line, column) = LineColumn(json, start);
        Assert.Equal(new Microsoft.CodeAnalysis.Text.LinePosition(line, column), diagnostic.Location.GetLineSpan().StartLinePosition);
        Assert.Equal(id == "TP0011" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, diagnostic.DefaultSeverity);

        // Whatever was wrong, the rest of the registry still generates and compiles.
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void Build_output_names_the_file_line_and_column()
    {
        var json = ReplaceFirst(TestRegistry.Json, "\"embedding\": \"projected\", \"dim\": 512 }", "\"embedding\": \"projected\" }");

        GeneratorRunner.Run(json, out _, out var diagnostics);

        var line = json.Split('\n').ToList().FindIndex(l => l.Contains("\"embedding\": \"projected\" }")) + 1;
        var column = json.Split('\n')[line - 1].IndexOf('{') + 1;
        Assert.Equal(
            $"encoders.json({line},{column}): error TP0002: encoder 'openai/ViT-B-16@test' is missing the required field 'output.dim'",
            Assert.Single(diagnostics).ToString());
    }

    [Fact]
    public void An_invalid_entry_is_left_out_and_the_others_still_generate()
    {
        var json = ReplaceFirst(TestRegistry.Json, "\"family\": \"CVL\"", "\"family\": \"VLM\"");

        var result = GeneratorRunner.Run(json, out _, out _);

        Assert.DoesNotContain(result.GeneratedSources, s => s.HintName.Contains("OpenaiViTB16Test"));
        Assert.Contains(result.GeneratedSources, s => s.HintName.Contains("Resnet18Test"));
        var registry = result.GeneratedSources.Single(s => s.HintName == "TraceProbe.Encoders.EncoderRegistry.g.cs").SourceText.ToString();
        Assert.DoesNotContain("OpenaiViTB16Test", registry);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{ \"encoders\": [ 1 ] }")]
    [InlineData("{ \"encoders\": [], \"tasks\": [ { \"id\": \"x\", \"kind\": \"processing\", \"display_name\": \"X\", \"classes\": [] } ] }")]
    [InlineData("{ \"encoders\": [], \"tasks\": [ { \"id\": \"x\", \"kind\": \"acquisition\", \"display_name\": \"X\", \"classes\": [ { \"id\": \"a\", \"ops\": [\"JPEG95_444\"] } ] } ] }")]
    [InlineData("{ \"encoders\": [], \"tasks\": [ { \"id\": \"x\", \"kind\": \"processing\", \"display_name\": \"X\", \"classes\": [ { \"id\": \"a\", \"ops\": [\"MASK_0\"] } ] } ] }")]
    [InlineData("{ \"encoders\": [], \"tasks\": [ { \"id\": \"x\", \"kind\": \"processing\", \"display_name\": \"X\", \"chance\": 0.5, \"classes\": [ { \"id\": \"a\", \"ops\": [\"RESIZE_HALF\"] } ] } ] }")]
    public void Malformed_registries_report_errors_and_still_emit_empty_registries(string json)
    {
        var result = GeneratorRunner.Run(json, out var output, out var diagnostics);

        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity));
        Assert.Contains(result.GeneratedSources, s => s.HintName == "TraceProbe.Encoders.EncoderRegistry.g.cs");
        Assert.Contains(result.GeneratedSources, s => s.HintName == "TraceProbe.Experiments.ExperimentRegistry.g.cs");
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Theory]
    [InlineData("JPEG75_420")]
    [InlineData("JPEG100_444")]
    [InlineData("SHARPEN_2")]
    [InlineData("SHARPEN_1.5")]
    [InlineData("RESIZE_HALF")]
    [InlineData("RESIZE_DOUBLE")]
    [InlineData("INTERPOLATION_LANCZOS")]
    [InlineData("MASK_95")]
    public void Known_processing_ops_are_accepted(string op)
    {
        var json = ReplaceFirst(TestRegistry.Json, "[\"SHARPEN_4\", \"JPEG95_444\"]", $"[\"{op}\"]");

        GeneratorRunner.Run(json, out _, out var diagnostics);

        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("\"interpolation\": \"nearest\"", "Interpolation.Nearest,")]
    [InlineData("\"interpolation\": \"bilinear\"", "Interpolation.Bilinear,")]
    [InlineData("\"interpolation\": \"hamming\"", "Interpolation.Hamming,")]
    [InlineData("\"interpolation\": \"box\"", "Interpolation.Box,")]
    [InlineData("\"interpolation\": \"lanczos\"", "Interpolation.Lanczos,")]
    [InlineData("\"layout\": \"NHWC\"", "Layout: global::TraceProbe.Encoders.InputLayout.NHWC,")]
    [InlineData("\"dtype\": \"float16\"", "DType: global::TraceProbe.Encoders.InputDType.Float16,")]
    [InlineData("\"dynamic_batch\": false", "DynamicBatch: false")]
    public void Values_the_runtime_honours_are_accepted_and_reach_the_spec(string edit, string emitted)
    {
        var field = edit.Substring(0, edit.IndexOf(':') + 1);
        var start = TestRegistry.Json.IndexOf(field, StringComparison.Ordinal);
        var end = TestRegistry.Json.IndexOfAny(new[] { ',', ' ', '\n' }, start + field.Length + 1);
        var json = TestRegistry.Json.Substring(0, start) + edit + TestRegistry.Json.Substring(end);

        var result = GeneratorRunner.Run(json, out _, out var diagnostics);

        Assert.Empty(diagnostics);
        var clip = result.GeneratedSources.Single(s => s.HintName.Contains("OpenaiViTB16Test")).SourceText.ToString();
        Assert.Contains(emitted, clip);
    }

    private static string ReplaceFirst(string text, string find, string replace)
    {
        var index = text.IndexOf(find, StringComparison.Ordinal);
        return text.Substring(0, index) + replace + text.Substring(index + find.Length);
    }

    private static int ClosingBrace(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '{') depth++;
            else if (text[i] == '}' && --depth == 0) return i;
        }
        throw new InvalidOperationException("no closing brace");
    }

    private static (int Line, int Column) LineColumn(string text, int offset)
    {
        var line = 0;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return (line, offset - lineStart);
    }
}
