using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using TraceProbe.Generators.Json;
using TraceProbe.Generators.Model;

namespace TraceProbe.Generators.Parsing;

/// <summary>
/// Reads encoders.json into validated models. Every problem becomes a <see cref="DiagnosticInfo"/>
/// pointing at the offending value; an entry with an error is left out of the output, the rest still
/// generate, so one mistake shows as one error rather than a cascade of missing types.
/// </summary>
internal static partial class RegistryParser
{
    private static readonly string[] RootFields = { "encoders", "tasks" };

    public static RegistryModel Parse(RegistryFile file, CancellationToken cancellationToken)
    {
        var ctx = new Context(file);
        JsonValue root;
        try
        {
            root = JsonReader.Parse(file.Text);
        }
        catch (JsonSyntaxException e)
        {
            ctx.Report(Diagnostics.InvalidJson, ctx.Span(e.Position, e.Length), e.Message);
            return ctx.Result(new List<EncoderModel>(), new List<TaskModel>());
        }

        if (root.Kind != JsonKind.Object)
        {
            ctx.Report(Diagnostics.WrongType, ctx.Span(root), "encoders.json", "(root)", "an object with 'encoders' and 'tasks'", root.KindName);
            return ctx.Result(new List<EncoderModel>(), new List<TaskModel>());
        }
        ctx.CheckFields(root, "encoders.json", "", RootFields);

        var encoders = ParseEntries<EncoderModel>(ctx, root, "encoders", "encoder", required: true, ParseEncoder, TypeNameOf, cancellationToken);
        var tasks = ParseEntries<TaskModel>(ctx, root, "tasks", "task", required: false, ParseTask,
            static id => Identifiers.ToPascal(id) + "Experiment", cancellationToken);
        return ctx.Result(encoders, tasks);
    }

    /// <summary>
    /// One of the root's lists: each entry parsed, and kept only when valid and when neither its id nor the
    /// type generated from it is taken by an earlier entry.
    /// </summary>
    private static List<T> ParseEntries<T>(Context ctx, JsonValue root, string list, string noun, bool required,
        Func<Context, JsonValue, int, (T? Model, string? Id, JsonValue? IdValue)> parse, Func<string, string> typeNameOf,
        CancellationToken cancellationToken)
        where T : struct
    {
        var entries = new List<T>();
        var array = ctx.Field(root, list, "encoders.json", "", JsonKind.Array, "an array", required);
        if (array is null) return entries;
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var seenTypes = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < array.Items.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (model, id, idValue) = parse(ctx, array.Items[i], i);
            if (id is null || idValue is null) continue;
            if (!Claim(ctx, noun, id, typeNameOf(id), idValue, seen, seenTypes)) continue;
            if (model is { } m) entries.Add(m);
        }
        return entries;
    }

    /// <summary>
    /// Joins the registries of several files (normally there is one). A later file's entry whose id or
    /// generated name is already taken is dropped; the file's own check has already reported in-file clashes.
    /// </summary>
    public static RegistryModel Merge(IReadOnlyList<RegistryModel> files)
    {
        if (files.Count == 1) return files[0];
        var encoders = new List<EncoderModel>();
        var tasks = new List<TaskModel>();
        var diagnostics = new List<DiagnosticInfo>();
        var encoderNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var taskNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in files)
        {
            diagnostics.AddRange(file.Diagnostics);
            foreach (var encoder in file.Encoders)
            {
                if (encoderNames.Add(encoder.Id) & encoderNames.Add("type:" + encoder.TypeName)) encoders.Add(encoder);
                else diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DuplicateId, null, "Encoder", encoder.Id));
            }
            foreach (var task in file.Tasks)
            {
                if (taskNames.Add(task.Id) & taskNames.Add("type:" + task.TypeName)) tasks.Add(task);
                else diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DuplicateId, null, "Task", task.Id));
            }
        }
        return new RegistryModel(encoders.ToEquatableArray(), tasks.ToEquatableArray(), diagnostics.ToEquatableArray());
    }

    /// <summary>Registers an id and its generated name; reports and returns false when either is taken.</summary>
    private static bool Claim(Context ctx, string what, string id, string typeName, JsonValue idValue,
        Dictionary<string, string> seenIds, Dictionary<string, string> seenTypes)
    {
        if (seenIds.ContainsKey(id))
        {
            ctx.Report(Diagnostics.DuplicateId, ctx.Span(idValue), char.ToUpperInvariant(what[0]) + what.Substring(1), id);
            return false;
        }
        if (seenTypes.TryGetValue(typeName, out var other))
        {
            ctx.Report(Diagnostics.NameCollision, ctx.Span(idValue), what, id, typeName, other);
            return false;
        }
        seenIds.Add(id, id);
        seenTypes.Add(typeName, id);
        return true;
    }

    /// <summary>
    /// What every registry entry starts with: it must be an object; its id names it in later messages
    /// ("encoder 'x'" rather than "encoders[3]"); unknown fields are reported. Returns false for a non-object.
    /// </summary>
    private static bool BeginEntry(Context ctx, JsonValue entry, string list, string noun, int index, string[] fields,
        out string owner, out string? id, out JsonValue? idValue, out int errors)
    {
        owner = list + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";
        (id, idValue, errors) = (null, null, ctx.Errors);
        if (entry.Kind != JsonKind.Object)
        {
            ctx.Report(Diagnostics.WrongType, ctx.Span(entry), "encoders.json", owner, "an object", entry.KindName);
            return false;
        }
        idValue = entry.Property("id")?.Value;
        id = ctx.Id(entry, owner);
        if (id is not null) owner = noun + " '" + id + "'";
        ctx.CheckFields(entry, owner, "", fields);
        return true;
    }
}
