using System.Reflection;
using System.Text.Json.Nodes;
using TraceProbe.Generators.Model;
using TraceProbe.Generators.Parsing;

namespace TraceProbe.Generators.Tests;

/// <summary>
/// The encoder model is nested like the runtime's EncoderSpec; the incremental driver can only skip work when
/// every part compares by value, so these check equality part by part and the types the parts may hold.
/// </summary>
public class EncoderModelTests
{
    private static readonly PropertyInfo[] Parts = typeof(EncoderModel).GetProperties()
        .Where(p => p.PropertyType.Namespace == typeof(EncoderModel).Namespace && p.PropertyType.IsValueType)
        .ToArray();

    private static RegistryModel Parse(string json) =>
        // A fresh copy of the text, so that no two models can share strings by reference.
        RegistryParser.Parse(new RegistryFile(GeneratorRunner.JsonPath, new string(json.ToCharArray())), CancellationToken.None);

    [Fact]
    public void The_model_has_one_part_per_nested_record_of_the_spec()
    {
        Assert.Equal(["Source", "Model", "Input", "Output", "Preprocessing"], Parts.Select(p => p.Name));
    }

    [Fact]
    public void The_same_registry_parsed_twice_gives_equal_models_part_by_part()
    {
        var first = Parse(TestRegistry.Json);
        var second = Parse(TestRegistry.Json);

        Assert.Empty(first.Diagnostics);
        Assert.Equal(2, first.Encoders.Count);
        for (var i = 0; i < first.Encoders.Count; i++)
        {
            foreach (var part in Parts)
            {
                Assert.Equal(part.GetValue(first.Encoders[i]), part.GetValue(second.Encoders[i]));
            }
            Assert.Equal(first.Encoders[i], second.Encoders[i]);
            Assert.Equal(first.Encoders[i].GetHashCode(), second.Encoders[i].GetHashCode());
        }
        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData("\"licence\": \"MIT\"", "\"licence\": \"BSD-3-Clause\"", "Source")]
    [InlineData("\"url\": \"https://example.org/model.onnx\"", "\"url\": \"https://example.org/other.onnx\"", "Model")]
    [InlineData("\"dynamic_batch\": true", "\"dynamic_batch\": false", "Input")]
    [InlineData("\"embedding\": \"projected\"", "\"embedding\": \"pooled\"", "Output")]
    [InlineData("\"crop_pct\": 1.0", "\"crop_pct\": 0.875", "Preprocessing")]
    [InlineData("[0.26862954, 0.26130258, 0.27577711]", "[0.26862954, 0.26130258, 0.5]", "Preprocessing")]
    public void An_edit_in_one_part_changes_that_part_only(string find, string replace, string part)
    {
        var edited = TestRegistry.Json.Replace(find, replace);
        Assert.NotEqual(TestRegistry.Json, edited);

        var before = Parse(TestRegistry.Json);
        var after = Parse(edited);

        Assert.Empty(after.Diagnostics);
        Assert.NotEqual(before.Encoders[0], after.Encoders[0]);
        Assert.Equal(before.Encoders[1], after.Encoders[1]);
        Assert.Equal([part], Parts.Where(p => !Equals(p.GetValue(before.Encoders[0]), p.GetValue(after.Encoders[0]))).Select(p => p.Name));
    }

    [Theory]
    [InlineData("source")]
    [InlineData("model")]
    [InlineData("input")]
    [InlineData("output")]
    [InlineData("preprocessing")]
    public void A_part_missing_or_not_an_object_leaves_only_its_encoder_out(string part)
    {
        foreach (var (value, expected) in new (JsonNode? Value, string Id)[] { (JsonValue.Create(3), "TP0007"), (null, "TP0002") })
        {
            var json = JsonNode.Parse(TestRegistry.Json)!;
            var clip = json["encoders"]![0]!.AsObject();
            if (value is null) clip.Remove(part);
            else clip[part] = value;

            var model = Parse(json.ToJsonString());

            Assert.Equal(["resnet18-test"], model.Encoders.Select(e => e.Id));
            var diagnostic = Assert.Single(model.Diagnostics);
            Assert.Equal(expected, diagnostic.Id);
            Assert.Equal("encoder 'openai/ViT-B-16@test'", diagnostic.MessageArgs[0]);
            Assert.Equal(part, diagnostic.MessageArgs[1]);
        }
    }

    [Fact]
    public void Every_field_a_pipeline_model_holds_compares_by_value()
    {
        var problems = new List<string>();
        Check(typeof(RegistryModel), nameof(RegistryModel), problems, []);
        Check(typeof(RegistryEntry), nameof(RegistryEntry), problems, []);
        Check(typeof(RegistryFile), nameof(RegistryFile), problems, []);
        Assert.Empty(problems);
    }

    /// <summary>
    /// Strings, numbers, booleans and their nullable forms compare by value; so does an EquatableArray of such
    /// things and a model record struct whose fields all do. Anything else (an array, a List, a class) compares
    /// by reference and would make every run look changed.
    /// </summary>
    private static void Check(Type type, string path, List<string> problems, HashSet<Type> seen)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string) || underlying.IsPrimitive || underlying.IsEnum) return;
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(EquatableArray<>))
        {
            Check(underlying.GetGenericArguments()[0], path + "[]", problems, seen);
            return;
        }
        var isModel = underlying.IsValueType && underlying.Namespace == typeof(EncoderModel).Namespace
            && typeof(IEquatable<>).MakeGenericType(underlying).IsAssignableFrom(underlying);
        if (!isModel)
        {
            problems.Add(path + ": " + underlying.Name);
            return;
        }
        if (!seen.Add(underlying)) return;
        foreach (var field in underlying.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            // A positional record parameter is stored in "<Name>k__BackingField".
            Check(field.FieldType, path + "." + field.Name.Replace("k__BackingField", "").Trim('<', '>'), problems, seen);
        }
    }
}
