using System;
using System.Collections.Generic;
using System.Globalization;
using TraceProbe.Common;
using TraceProbe.Encoders;
using TraceProbe.Experiments;
using TraceProbe.Generators.Json;
using TraceProbe.Generators.Model;

namespace TraceProbe.Generators.Parsing;

// A trace task entry: its defaults, its classes (a processing chain or an EXIF rule each) and its chance level.
internal static partial class RegistryParser
{
    private static readonly string[] Kinds = TraceKinds.Spellings;
    private static readonly string[] TaskFields = { "id", "kind", "display_name", "attribute", "mask_ratio", "chance", "defaults", "classes" };
    private static readonly string[] ClassFields = { "id", "ops", "exif" };

    private static (TaskModel? Model, string? Id, JsonValue? IdValue) ParseTask(Context ctx, JsonValue entry, int index)
    {
        if (!BeginEntry(ctx, entry, "tasks", "task", index, TaskFields, out var owner, out var id, out var idValue, out var errors))
            return (null, null, null);

        var kind = ctx.Enum(entry, "kind", owner, "", Kinds, null);
        var displayName = ctx.String(entry, "display_name", owner, "", required: true);
        // An acquisition task may leave its classes to the data (the most frequent values of its
        // attribute, chosen at run time); it must then say which attribute.
        var shape = TraceKinds.ShapeOf(kind);
        var fromData = shape == ClassShape.ExifRule && entry.Property("classes") is null;
        var attribute = ctx.String(entry, "attribute", owner, "", required: fromData);
        var maskRatio = ctx.MaskRatio(entry, "mask_ratio", owner);
        var defaultsValue = ctx.Field(entry, "defaults", owner, "", JsonKind.Object, "an object", required: false);
        var defaults = ParseDefaults(ctx, defaultsValue, owner);
        var classArray = ctx.Field(entry, "classes", owner, "", JsonKind.Array, "an array", required: !fromData);
        var classes = ParseClasses(ctx, classArray, owner, shape);

        // Checked against the declared classes, so that a bad class does not also make 'chance' look wrong.
        // Classes chosen from the data are counted by defaults.top_k, when the task gives it.
        CheckChance(ctx, entry, owner, fromData ? TopK(defaultsValue) : classArray?.Items.Count ?? 0, fromData);

        if (ctx.Errors > errors || id is null)
        {
            return (null, id, idValue);
        }
        var pascal = Identifiers.ToPascal(id);
        return (new TaskModel(
            id,
            pascal,
            RegistryVocabulary.Member(kind!),
            displayName!,
            attribute,
            maskRatio,
            defaults.ToEquatableArray(),
            classes.ToEquatableArray()), id, idValue);
    }

    /// <summary>The task's "defaults" object: scalar values only, each kept as text.</summary>
    private static List<TaskDefault> ParseDefaults(Context ctx, JsonValue? defaultsValue, string owner)
    {
        var defaults = new List<TaskDefault>();
        if (defaultsValue is null) return defaults;
        foreach (var property in defaultsValue.Properties)
        {
            if (property.Value.Kind is JsonKind.Object or JsonKind.Array or JsonKind.Null)
            {
                ctx.Report(Diagnostics.WrongType, ctx.Span(property.Value), owner, "defaults." + property.Name, "a string, number or boolean", property.Value.KindName);
                continue;
            }
            defaults.Add(new TaskDefault(property.Name, ctx.ScalarText(property.Value)));
        }
        return defaults;
    }

    /// <summary>The task's "classes" array: at least one, ids and enum member names unique within the task.</summary>
    private static List<ClassModel> ParseClasses(Context ctx, JsonValue? classArray, string owner, ClassShape? shape)
    {
        var classes = new List<ClassModel>();
        if (classArray is null) return classes;
        if (classArray.Items.Count == 0)
        {
            ctx.Report(Diagnostics.InvalidValue, ctx.Span(classArray), owner, "classes",
                shape == ClassShape.ExifRule
                    ? "must list at least one class; leave 'classes' out to choose them from the data"
                    : "must list at least one class");
        }
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var seenMembers = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < classArray.Items.Count; i++)
        {
            var (model, classId, classIdValue) = ParseClass(ctx, classArray.Items[i], i, owner, shape);
            if (classId is null || classIdValue is null) continue;
            if (!Claim(ctx, owner + " class", classId, Identifiers.ToMember(classId).TrimStart('@'), classIdValue, seen, seenMembers)) continue;
            if (model is { } m) classes.Add(m);
        }
        return classes;
    }

    /// <summary>
    /// An optional "chance" must be 1 / <paramref name="declared"/> (balanced classes). There is nothing to check
    /// against when no count is known, which is an error only for classes chosen from the data.
    /// </summary>
    private static void CheckChance(Context ctx, JsonValue entry, string owner, int declared, bool fromData)
    {
        var counted = fromData ? "defaults.top_k keeps " : "the task has ";
        var chanceValue = ctx.Field(entry, "chance", owner, "", JsonKind.Number, "a number", required: false);
        if (chanceValue is null) return;
        if (fromData && declared == 0)
        {
            ctx.Report(Diagnostics.InvalidValue, ctx.Span(chanceValue), owner, "chance",
                "cannot be checked: the classes are chosen from the data; give defaults.top_k or leave 'chance' out");
            return;
        }
        if (declared == 0) return;
        var chance = double.Parse(chanceValue.Text!, NumberStyles.Float, CultureInfo.InvariantCulture);
        var expected = 1.0 / declared;
        if (Math.Abs(chance - expected) > 1e-3)
        {
            ctx.Report(Diagnostics.InvalidValue, ctx.Span(chanceValue), owner, "chance",
                "is " + chanceValue.Text + " but " + counted + declared.ToString(CultureInfo.InvariantCulture)
                + " balanced classes, so chance is " + expected.ToString("0.####", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>defaults.top_k as a positive integer, or 0 when absent or not one.</summary>
    private static int TopK(JsonValue? defaults)
    {
        var value = defaults?.Property("top_k")?.Value;
        if (value is null || value.Kind != JsonKind.Number) return 0;
        return int.TryParse(value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k > 0 ? k : 0;
    }

    private static (ClassModel? Model, string? Id, JsonValue? IdValue) ParseClass(Context ctx, JsonValue entry, int index, string taskOwner, ClassShape? shape)
    {
        var owner = taskOwner + " classes[" + index.ToString(CultureInfo.InvariantCulture) + "]";
        if (entry.Kind != JsonKind.Object)
        {
            ctx.Report(Diagnostics.WrongType, ctx.Span(entry), taskOwner, "classes[" + index.ToString(CultureInfo.InvariantCulture) + "]", "an object", entry.KindName);
            return (null, null, null);
        }
        var errors = ctx.Errors;
        var idValue = entry.Property("id")?.Value;
        var id = ctx.Id(entry, owner);
        if (id is not null) owner = taskOwner + " class '" + id + "'";
        ctx.CheckFields(entry, owner, "", ClassFields);

        var ops = shape == ClassShape.Ops ? ParseOps(ctx, entry, owner) : new List<string>();
        var exif = shape == ClassShape.ExifRule ? ParseExifRule(ctx, entry, owner) : new List<ExifCondition>();

        if (ctx.Errors > errors || id is null) return (null, id, idValue);
        return (new ClassModel(id, Identifiers.ToMember(id), ops.ToEquatableArray(), exif.ToEquatableArray()), id, idValue);
    }

    /// <summary>A processing class's chain: known operation ids, in the order they are applied.</summary>
    private static List<string> ParseOps(Context ctx, JsonValue entry, string owner)
    {
        var ops = new List<string>();
        var exifValue = entry.Property("exif")?.Value;
        if (exifValue is not null) ctx.Report(Diagnostics.InvalidValue, ctx.Span(exifValue), owner, "exif", "applies only to acquisition tasks; a processing class lists 'ops'");
        var array = ctx.Field(entry, "ops", owner, "", JsonKind.Array, "an array of operation ids", required: true);
        if (array is null) return ops;
        if (array.Items.Count == 0) ctx.Report(Diagnostics.InvalidValue, ctx.Span(array), owner, "ops", "must list at least one operation");
        for (var i = 0; i < array.Items.Count; i++)
        {
            var op = array.Items[i];
            if (op.Kind != JsonKind.String)
            {
                ctx.Report(Diagnostics.WrongType, ctx.Span(op), owner, "ops[" + i.ToString(CultureInfo.InvariantCulture) + "]", "a string", op.KindName);
            }
            else if (!OpGrammar.IsKnown(op.Text!))
            {
                ctx.Report(Diagnostics.UnknownOp, ctx.Span(op), owner, op.Text!);
            }
            else
            {
                ops.Add(op.Text!);
            }
        }
        return ops;
    }

    /// <summary>An acquisition class's EXIF rule: attribute → required value, at least one.</summary>
    private static List<ExifCondition> ParseExifRule(Context ctx, JsonValue entry, string owner)
    {
        var exif = new List<ExifCondition>();
        var opsValue = entry.Property("ops")?.Value;
        if (opsValue is not null) ctx.Report(Diagnostics.InvalidValue, ctx.Span(opsValue), owner, "ops", "applies only to processing tasks; an acquisition class gives an 'exif' rule");
        var rule = ctx.Field(entry, "exif", owner, "", JsonKind.Object, "an object", required: true);
        if (rule is null) return exif;
        if (rule.Properties.Count == 0) ctx.Report(Diagnostics.InvalidValue, ctx.Span(rule), owner, "exif", "must give at least one condition");
        foreach (var property in rule.Properties) exif.Add(new ExifCondition(property.Name, ctx.ScalarText(property.Value)));
        return exif;
    }
}
