using System.Collections.Generic;

namespace TraceProbe.Generators.Json;

internal enum JsonKind { Object, Array, String, Number, True, False, Null }

/// <summary>A parsed JSON value and the span of source text it came from.</summary>
internal sealed class JsonValue
{
    public JsonValue(JsonKind kind, int start, int end, string? text = null,
        List<JsonProperty>? properties = null, List<JsonValue>? items = null)
    {
        Kind = kind;
        Start = start;
        End = end;
        Text = text;
        Properties = properties ?? new List<JsonProperty>();
        Items = items ?? new List<JsonValue>();
    }

    public JsonKind Kind { get; }

    /// <summary>Offset of the value's first character.</summary>
    public int Start { get; }

    /// <summary>Offset just past the value's last character.</summary>
    public int End { get; }

    /// <summary>The decoded string for strings, the literal text for numbers.</summary>
    public string? Text { get; }

    public List<JsonProperty> Properties { get; }

    public List<JsonValue> Items { get; }

    public JsonProperty? Property(string name)
    {
        foreach (var property in Properties)
        {
            if (property.Name == name) return property;
        }
        return null;
    }

    /// <summary>How the value is named in messages: "a string", "an object"…</summary>
    public string KindName => Describe(Kind);

    public static string Describe(JsonKind kind) => kind switch
    {
        JsonKind.Object => "an object",
        JsonKind.Array => "an array",
        JsonKind.String => "a string",
        JsonKind.Number => "a number",
        JsonKind.Null => "null",
        _ => "a boolean",
    };
}

/// <summary>An object member, with the span of its name (diagnostics about the member point there).</summary>
internal sealed class JsonProperty
{
    public JsonProperty(string name, int nameStart, int nameEnd, JsonValue value)
    {
        Name = name;
        NameStart = nameStart;
        NameEnd = nameEnd;
        Value = value;
    }

    public string Name { get; }
    public int NameStart { get; }
    public int NameEnd { get; }
    public JsonValue Value { get; }
}
