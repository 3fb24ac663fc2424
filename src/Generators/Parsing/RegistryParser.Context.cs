using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using TraceProbe.Common;
using TraceProbe.Generators.Json;
using TraceProbe.Generators.Model;

namespace TraceProbe.Generators.Parsing;

// The parser's per-file state and the typed readers of JSON values that report what is wrong and where.
internal static partial class RegistryParser
{
    /// <summary>Per-file state: the text's line starts (for line/column) and the diagnostics found so far.</summary>
    private sealed class Context
    {
        private readonly RegistryFile _file;
        private readonly List<int> _lineStarts = new() { 0 };
        private readonly List<DiagnosticInfo> _diagnostics = new();

        public Context(RegistryFile file)
        {
            _file = file;
            var text = file.Text;
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == '\r')
                {
                    if (i + 1 < text.Length && text[i + 1] == '\n') i++;
                    _lineStarts.Add(i + 1);
                }
                else if (text[i] == '\n')
                {
                    _lineStarts.Add(i + 1);
                }
            }
        }

        public int Errors { get; private set; }

        public RegistryModel Result(List<EncoderModel> encoders, List<TaskModel> tasks) =>
            new(encoders.ToEquatableArray(), tasks.ToEquatableArray(), _diagnostics.ToEquatableArray());

        public void Report(DiagnosticDescriptor descriptor, LocationInfo location, params string[] args)
        {
            if (descriptor.DefaultSeverity == DiagnosticSeverity.Error) Errors++;
            _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, args));
        }

        public LocationInfo Span(JsonValue value) => Span(value.Start, value.End - value.Start);

        public LocationInfo Span(int start, int length)
        {
            start = Math.Min(start, _file.Text.Length);
            length = Math.Max(0, Math.Min(length, _file.Text.Length - start));
            var (startLine, startColumn) = LineColumn(start);
            var (endLine, endColumn) = LineColumn(start + length);
            return new LocationInfo(_file.Path, start, length, startLine, startColumn, endLine, endColumn);
        }

        private (int Line, int Column) LineColumn(int offset)
        {
            var index = _lineStarts.BinarySearch(offset);
            var line = index >= 0 ? index : ~index - 1;
            return (line, offset - _lineStarts[line]);
        }

        /// <summary>Warns about fields outside the schema; keys starting with '_' or '$' are notes and pass.</summary>
        public void CheckFields(JsonValue obj, string owner, string prefix, string[] known)
        {
            foreach (var property in obj.Properties)
            {
                if (property.Name.StartsWith("_", StringComparison.Ordinal) || property.Name.StartsWith("$", StringComparison.Ordinal)) continue;
                if (Array.IndexOf(known, property.Name) >= 0) continue;
                Report(Diagnostics.UnknownField, Span(property.NameStart, property.NameEnd - property.NameStart),
                    owner, prefix + property.Name, string.Join(", ", known));
            }
        }

        /// <summary>A field of the expected JSON kind, or null (missing or wrong kind, both reported when it matters).</summary>
        public JsonValue? Field(JsonValue obj, string name, string owner, string prefix, JsonKind kind, string expected, bool required)
        {
            var property = obj.Property(name);
            if (property is null || (property.Value.Kind == JsonKind.Null && !required))
            {
                if (required) Report(Diagnostics.MissingField, Span(obj), owner, prefix + name);
                return null;
            }
            if (property.Value.Kind != kind)
            {
                Report(Diagnostics.WrongType, Span(property.Value), owner, prefix + name, expected, property.Value.KindName);
                return null;
            }
            return property.Value;
        }

        /// <summary>A required object inside an entry (e.g. an encoder's "input"), its unknown fields reported as "name.field".</summary>
        public JsonValue? Section(JsonValue entry, string name, string owner, string[] known)
        {
            var section = Field(entry, name, owner, "", JsonKind.Object, "an object", required: true);
            if (section is not null) CheckFields(section, owner, name + ".", known);
            return section;
        }

        public string? String(JsonValue obj, string name, string owner, string prefix, bool required) =>
            Field(obj, name, owner, prefix, JsonKind.String, "a string", required)?.Text;

        public string? Id(JsonValue obj, string owner)
        {
            var value = Field(obj, "id", owner, "", JsonKind.String, "a string", required: true);
            if (value is null) return null;
            if (Identifiers.ToPascal(value.Text!).Length == 0)
            {
                Report(Diagnostics.InvalidValue, Span(value), owner, "id", "must contain a letter or digit");
                return null;
            }
            return value.Text;
        }

        /// <summary>One of <paramref name="allowed"/> (exact spelling), or <paramref name="fallback"/> when absent; null otherwise.</summary>
        public string? Enum(JsonValue obj, string name, string owner, string prefix, string[] allowed, string? fallback,
            IReadOnlyDictionary<string, string>? unsupported = null)
        {
            var value = Field(obj, name, owner, prefix, JsonKind.String, "a string", required: fallback is null);
            if (value is null)
            {
                var property = obj.Property(name);
                return property is null || property.Value.Kind == JsonKind.Null ? fallback : null;
            }
            if (unsupported is not null && unsupported.TryGetValue(prefix + name + "=" + value.Text, out var why))
            {
                Report(Diagnostics.UnsupportedValue, Span(value), owner, value.Text!, prefix + name, why);
                return null;
            }
            if (Array.IndexOf(allowed, value.Text) < 0)
            {
                Report(Diagnostics.UnknownValue, Span(value), owner, value.Text!, prefix + name, string.Join(" | ", allowed));
                return null;
            }
            return value.Text;
        }

        public bool? Bool(JsonValue obj, string name, string owner, string prefix, bool fallback)
        {
            var property = obj.Property(name);
            if (property is null) return fallback;
            if (property.Value.Kind is JsonKind.True) return true;
            if (property.Value.Kind is JsonKind.False) return false;
            Report(Diagnostics.WrongType, Span(property.Value), owner, prefix + name, "true or false", property.Value.KindName);
            return null;
        }

        public int? PositiveInt(JsonValue value, string owner, string field)
        {
            if (value.Kind != JsonKind.Number)
            {
                Report(Diagnostics.WrongType, Span(value), owner, field, "a positive integer", value.KindName);
                return null;
            }
            if (!int.TryParse(value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
            {
                Report(Diagnostics.InvalidValue, Span(value), owner, field, "must be a positive integer, not " + value.Text);
                return null;
            }
            return n;
        }

        /// <summary>An optional number in (0, 1], kept as its JSON text.</summary>
        public string? Fraction(JsonValue obj, string name, string owner, string prefix)
        {
            var value = Field(obj, name, owner, prefix, JsonKind.Number, "a number", required: false);
            if (value is null) return null;
            var x = double.Parse(value.Text!, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (!(x > 0 && x <= 1))
            {
                Report(Diagnostics.InvalidValue, Span(value), owner, prefix + name, "must be in (0, 1], not " + value.Text);
                return null;
            }
            return value.Text;
        }

        /// <summary>An optional centre-mask ratio, in the interval the harness's mask accepts (<see cref="CentreMaskRatio"/>).</summary>
        public string? MaskRatio(JsonValue obj, string name, string owner)
        {
            var value = Field(obj, name, owner, "", JsonKind.Number, "a number", required: false);
            if (value is null) return null;
            var x = double.Parse(value.Text!, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (!CentreMaskRatio.IsMask(x))
            {
                Report(Diagnostics.InvalidValue, Span(value), owner, name, "must be in " + CentreMaskRatio.Interval + ", not " + value.Text);
                return null;
            }
            return value.Text;
        }

        /// <summary>An optional array of three numbers (per RGB channel), kept as their JSON text.</summary>
        public List<string>? Triple(JsonValue pre, string name, string owner, bool positive)
        {
            var field = "preprocessing." + name;
            var array = Field(pre, name, owner, "preprocessing.", JsonKind.Array, "an array of 3 numbers", required: false);
            if (array is null) return null;
            if (array.Items.Count != 3)
            {
                Report(Diagnostics.WrongLength, Span(array), owner, field, "3 (one per channel)", array.Items.Count.ToString(CultureInfo.InvariantCulture));
                return null;
            }
            var values = new List<string>(3);
            for (var i = 0; i < 3; i++)
            {
                var item = array.Items[i];
                var itemName = field + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
                if (item.Kind != JsonKind.Number)
                {
                    Report(Diagnostics.WrongType, Span(item), owner, itemName, "a number", item.KindName);
                    continue;
                }
                if (positive && !(double.Parse(item.Text!, NumberStyles.Float, CultureInfo.InvariantCulture) > 0))
                {
                    Report(Diagnostics.InvalidValue, Span(item), owner, itemName, "must be greater than 0");
                    continue;
                }
                values.Add(item.Text!);
            }
            return values.Count == 3 ? values : null;
        }

        /// <summary>A string's value, or the JSON text of any other value.</summary>
        public string ScalarText(JsonValue value) =>
            value.Kind == JsonKind.String ? value.Text! : _file.Text.Substring(value.Start, value.End - value.Start);
    }
}
