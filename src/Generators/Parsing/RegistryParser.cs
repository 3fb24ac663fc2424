using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Microsoft.CodeAnalysis;
using TraceProbe.Generators.Json;
using TraceProbe.Generators.Model;

namespace TraceProbe.Generators.Parsing;

/// <summary>
/// Reads encoders.json into validated models. Every problem becomes a <see cref="DiagnosticInfo"/>
/// pointing at the offending value; an entry with an error is left out of the output, the rest still
/// generate, so one mistake shows as one error rather than a cascade of missing types.
/// </summary>
internal static class RegistryParser
{
    private static readonly string[] Families = { "CVL", "SUP", "SSL", "control" };
    private static readonly string[] Libraries = { "timm", "open_clip", "openai-clip", "hf", "torch.hub", "checkpoint", "torchvision", "nuget" };
    // Only what the encoder runtime feeds: it converts its float32 NCHW tensor to the layout and type named here.
    private static readonly string[] Layouts = { "NCHW", "NHWC" };
    private static readonly string[] DTypes = { "float32", "float16" };
    private static readonly string[] Embeddings = { "projected", "pooled", "cls" };
    private static readonly string[] ResizeModes = { "shortest", "squash" };
    // Pillow's six filters: the encoder-input resampler implements each (anything else is TP0003).
    private static readonly string[] Interpolations = { "nearest", "bilinear", "bicubic", "lanczos", "box", "hamming" };
    private static readonly string[] ChannelOrders = { "RGB", "BGR" };
    private static readonly string[] Kinds = { "processing", "acquisition" };

    /// <summary>Values a reader of ONNX models may expect but the runtime cannot honour, with the reason (TP0012).</summary>
    private static readonly Dictionary<string, string> Unsupported = new(StringComparer.Ordinal)
    {
        ["input.dtype=uint8"] = "the harness feeds resized, normalised float pixels; export the graph with float32 or float16 input",
    };

    private static readonly string[] RootFields = { "encoders", "tasks" };
    private static readonly string[] EncoderFields = { "id", "family", "display_name", "source", "model", "input", "output", "preprocessing", "l2_normalize" };
    private static readonly string[] SourceFields = { "library", "name", "pretrained", "licence" };
    private static readonly string[] ModelFields = { "file", "sha256", "url", "package", "package_path" };
    private static readonly string[] InputFields = { "name", "layout", "dtype", "image_size", "dynamic_batch" };
    private static readonly string[] OutputFields = { "name", "embedding", "dim" };
    private static readonly string[] PreprocessingFields = { "resize_mode", "crop_pct", "interpolation", "mean", "std", "mean_image", "channel_order" };
    private static readonly string[] TaskFields = { "id", "kind", "display_name", "attribute", "mask_ratio", "chance", "defaults", "classes" };
    private static readonly string[] ClassFields = { "id", "ops", "exif" };

    /// <summary>Generated adapter members; an encoder type may not share a name with them.</summary>
    private static readonly HashSet<string> AdapterMembers = new(StringComparer.Ordinal)
    {
        "Id", "DisplayName", "Family", "InputName", "OutputName", "ImageHeight", "ImageWidth", "EmbeddingDim", "Spec",
    };

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

        var encoders = new List<EncoderModel>();
        var encoderArray = ctx.Field(root, "encoders", "encoders.json", "", JsonKind.Array, "an array", required: true);
        if (encoderArray is not null)
        {
            var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var seenTypes = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < encoderArray.Items.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (model, id, idValue) = ParseEncoder(ctx, encoderArray.Items[i], i);
                if (id is null || idValue is null) continue;
                if (!Claim(ctx, "encoder", id, TypeNameOf(id), idValue, seen, seenTypes)) continue;
                if (model is { } m) encoders.Add(m);
            }
        }

        var tasks = new List<TaskModel>();
        var taskArray = ctx.Field(root, "tasks", "encoders.json", "", JsonKind.Array, "an array", required: false);
        if (taskArray is not null)
        {
            var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var seenTypes = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < taskArray.Items.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (model, id, idValue) = ParseTask(ctx, taskArray.Items[i], i);
                if (id is null || idValue is null) continue;
                if (!Claim(ctx, "task", id, Identifiers.ToPascal(id) + "Experiment", idValue, seen, seenTypes)) continue;
                if (model is { } m) tasks.Add(m);
            }
        }

        return ctx.Result(encoders, tasks);
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

    public static string TypeNameOf(string encoderId)
    {
        var name = Identifiers.ToPascal(encoderId);
        return AdapterMembers.Contains(name) ? name + "Encoder" : name;
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

    private static (EncoderModel? Model, string? Id, JsonValue? IdValue) ParseEncoder(Context ctx, JsonValue entry, int index)
    {
        if (!BeginEntry(ctx, entry, "encoders", "encoder", index, EncoderFields, out var owner, out var id, out var idValue, out var errors))
            return (null, null, null);

        var family = ctx.Enum(entry, "family", owner, "", Families, null);
        var displayName = ctx.String(entry, "display_name", owner, "", required: true);

        string? library = null, sourceName = null, pretrained = null, licence = null;
        var source = ctx.Field(entry, "source", owner, "", JsonKind.Object, "an object", required: true);
        if (source is not null)
        {
            ctx.CheckFields(source, owner, "source.", SourceFields);
            library = ctx.Enum(source, "library", owner, "source.", Libraries, null);
            sourceName = ctx.String(source, "name", owner, "source.", required: true);
            pretrained = ctx.String(source, "pretrained", owner, "source.", required: false);
            licence = ctx.String(source, "licence", owner, "source.", required: false);
        }

        string? file = null, sha256 = null, url = null, package = null, packagePath = null;
        var model = ctx.Field(entry, "model", owner, "", JsonKind.Object, "an object", required: true);
        if (model is not null)
        {
            ctx.CheckFields(model, owner, "model.", ModelFields);
            file = ctx.String(model, "file", owner, "model.", required: true);
            sha256 = ctx.String(model, "sha256", owner, "model.", required: false);
            if (sha256 is not null && !IsSha256(sha256))
            {
                ctx.Report(Diagnostics.InvalidValue, ctx.Span(model.Property("sha256")!.Value), owner, "model.sha256", "must be 64 hexadecimal digits");
            }
            url = ctx.String(model, "url", owner, "model.", required: false);
            package = ctx.String(model, "package", owner, "model.", required: false);
            packagePath = ctx.String(model, "package_path", owner, "model.", required: package is not null);
        }

        string? inputName = null, layout = null, dtype = null;
        int? height = null, width = null;
        bool? dynamicBatch = null;
        var input = ctx.Field(entry, "input", owner, "", JsonKind.Object, "an object", required: true);
        if (input is not null)
        {
            ctx.CheckFields(input, owner, "input.", InputFields);
            inputName = ctx.String(input, "name", owner, "input.", required: true);
            layout = ctx.Enum(input, "layout", owner, "input.", Layouts, "NCHW");
            dtype = ctx.Enum(input, "dtype", owner, "input.", DTypes, "float32", Unsupported);
            var size = ctx.Field(input, "image_size", owner, "input.", JsonKind.Array, "an array [height, width]", required: true);
            if (size is not null)
            {
                if (size.Items.Count != 2)
                {
                    ctx.Report(Diagnostics.WrongLength, ctx.Span(size), owner, "input.image_size", "2 ([height, width])", size.Items.Count.ToString(CultureInfo.InvariantCulture));
                }
                else
                {
                    height = ctx.PositiveInt(size.Items[0], owner, "input.image_size[0]");
                    width = ctx.PositiveInt(size.Items[1], owner, "input.image_size[1]");
                }
            }
            dynamicBatch = ctx.Bool(input, "dynamic_batch", owner, "input.", fallback: false);
        }

        string? outputName = null, embedding = null;
        int? dim = null;
        var output = ctx.Field(entry, "output", owner, "", JsonKind.Object, "an object", required: true);
        if (output is not null)
        {
            ctx.CheckFields(output, owner, "output.", OutputFields);
            outputName = ctx.String(output, "name", owner, "output.", required: true);
            embedding = ctx.Enum(output, "embedding", owner, "output.", Embeddings, null);
            var dimValue = ctx.Field(output, "dim", owner, "output.", JsonKind.Number, "a positive integer", required: true);
            if (dimValue is not null) dim = ctx.PositiveInt(dimValue, owner, "output.dim");
        }

        string? resizeMode = null, cropPct = null, interpolation = null, meanImage = null, channelOrder = null;
        List<string>? mean = null, std = null;
        var pre = ctx.Field(entry, "preprocessing", owner, "", JsonKind.Object, "an object", required: true);
        if (pre is not null)
        {
            ctx.CheckFields(pre, owner, "preprocessing.", PreprocessingFields);
            resizeMode = ctx.Enum(pre, "resize_mode", owner, "preprocessing.", ResizeModes, null);
            cropPct = ctx.Fraction(pre, "crop_pct", owner, "preprocessing.");
            interpolation = ctx.Enum(pre, "interpolation", owner, "preprocessing.", Interpolations, null);
            mean = ctx.Triple(pre, "mean", owner, positive: false);
            std = ctx.Triple(pre, "std", owner, positive: true);
            meanImage = ctx.String(pre, "mean_image", owner, "preprocessing.", required: false);
            channelOrder = ctx.Enum(pre, "channel_order", owner, "preprocessing.", ChannelOrders, "RGB");

            var hasMean = pre.Property("mean") is not null;
            var hasStd = pre.Property("std") is not null;
            var hasMeanImage = pre.Property("mean_image") is not null;
            string? problem = null;
            if (hasMeanImage && (hasMean || hasStd)) problem = "'mean_image' cannot be combined with 'mean'/'std'";
            else if (!hasMeanImage && !hasMean && !hasStd) problem = "neither is given";
            else if (!hasMeanImage && hasMean != hasStd) problem = hasMean ? "'std' is missing" : "'mean' is missing";
            if (problem is not null) ctx.Report(Diagnostics.Normalisation, ctx.Span(pre), owner, problem);
        }

        var l2 = ctx.Bool(entry, "l2_normalize", owner, "", fallback: true);

        if (ctx.Errors > errors || id is null)
        {
            return (null, id, idValue);
        }

        return (new EncoderModel(
            id,
            TypeNameOf(id),
            family == "control" ? "Control" : family!,
            displayName!,
            library!, sourceName!, pretrained, licence,
            file!, sha256, url, package, packagePath,
            inputName!, layout!, dtype!, height!.Value, width!.Value, dynamicBatch!.Value,
            outputName!, embedding!, dim!.Value,
            resizeMode!, cropPct, interpolation!,
            (mean ?? new List<string>()).ToEquatableArray(),
            (std ?? new List<string>()).ToEquatableArray(),
            meanImage, channelOrder!, l2!.Value), id, idValue);
    }

    private static (TaskModel? Model, string? Id, JsonValue? IdValue) ParseTask(Context ctx, JsonValue entry, int index)
    {
        if (!BeginEntry(ctx, entry, "tasks", "task", index, TaskFields, out var owner, out var id, out var idValue, out var errors))
            return (null, null, null);

        var kind = ctx.Enum(entry, "kind", owner, "", Kinds, null);
        var displayName = ctx.String(entry, "display_name", owner, "", required: true);
        // An acquisition task may leave its classes to the data (the most frequent values of its
        // attribute, chosen at run time); it must then say which attribute.
        var fromData = kind == "acquisition" && entry.Property("classes") is null;
        var attribute = ctx.String(entry, "attribute", owner, "", required: fromData);
        var maskRatio = ctx.Fraction(entry, "mask_ratio", owner, "");

        var defaults = new List<TaskDefault>();
        var defaultsValue = ctx.Field(entry, "defaults", owner, "", JsonKind.Object, "an object", required: false);
        if (defaultsValue is not null)
        {
            foreach (var property in defaultsValue.Properties)
            {
                if (property.Value.Kind is JsonKind.Object or JsonKind.Array or JsonKind.Null)
                {
                    ctx.Report(Diagnostics.WrongType, ctx.Span(property.Value), owner, "defaults." + property.Name, "a string, number or boolean", property.Value.KindName);
                    continue;
                }
                defaults.Add(new TaskDefault(property.Name, ctx.ScalarText(property.Value)));
            }
        }

        var classes = new List<ClassModel>();
        var classArray = ctx.Field(entry, "classes", owner, "", JsonKind.Array, "an array", required: !fromData);
        if (classArray is not null)
        {
            if (classArray.Items.Count == 0)
            {
                ctx.Report(Diagnostics.InvalidValue, ctx.Span(classArray), owner, "classes",
                    kind == "acquisition"
                        ? "must list at least one class; leave 'classes' out to choose them from the data"
                        : "must list at least one class");
            }
            var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var seenMembers = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < classArray.Items.Count; i++)
            {
                var (model, classId, classIdValue) = ParseClass(ctx, classArray.Items[i], i, owner, kind);
                if (classId is null || classIdValue is null) continue;
                if (!Claim(ctx, owner + " class", classId, Identifiers.ToMember(classId).TrimStart('@'), classIdValue, seen, seenMembers)) continue;
                if (model is { } m) classes.Add(m);
            }
        }

        // Checked against the declared classes, so that a bad class does not also make 'chance' look wrong.
        // Classes chosen from the data are counted by defaults.top_k, when the task gives it.
        var declared = classArray?.Items.Count ?? 0;
        var counted = "the task has ";
        if (fromData)
        {
            declared = TopK(defaultsValue);
            counted = "defaults.top_k keeps ";
        }
        var chanceValue = ctx.Field(entry, "chance", owner, "", JsonKind.Number, "a number", required: false);
        if (chanceValue is not null && fromData && declared == 0)
        {
            ctx.Report(Diagnostics.InvalidValue, ctx.Span(chanceValue), owner, "chance",
                "cannot be checked: the classes are chosen from the data; give defaults.top_k or leave 'chance' out");
        }
        else if (chanceValue is not null && declared > 0)
        {
            var chance = double.Parse(chanceValue.Text!, NumberStyles.Float, CultureInfo.InvariantCulture);
            var expected = 1.0 / declared;
            if (Math.Abs(chance - expected) > 1e-3)
            {
                ctx.Report(Diagnostics.InvalidValue, ctx.Span(chanceValue), owner, "chance",
                    "is " + chanceValue.Text + " but " + counted + declared.ToString(CultureInfo.InvariantCulture)
                    + " balanced classes, so chance is " + expected.ToString("0.####", CultureInfo.InvariantCulture));
            }
        }

        if (ctx.Errors > errors || id is null)
        {
            return (null, id, idValue);
        }
        var pascal = Identifiers.ToPascal(id);
        return (new TaskModel(
            id,
            pascal,
            kind == "processing" ? "Processing" : "Acquisition",
            displayName!,
            attribute,
            maskRatio,
            defaults.ToEquatableArray(),
            classes.ToEquatableArray()), id, idValue);
    }

    /// <summary>defaults.top_k as a positive integer, or 0 when absent or not one.</summary>
    private static int TopK(JsonValue? defaults)
    {
        var value = defaults?.Property("top_k")?.Value;
        if (value is null || value.Kind != JsonKind.Number) return 0;
        return int.TryParse(value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k > 0 ? k : 0;
    }

    private static (ClassModel? Model, string? Id, JsonValue? IdValue) ParseClass(Context ctx, JsonValue entry, int index, string taskOwner, string? kind)
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

        var ops = new List<string>();
        var exif = new List<ExifCondition>();
        var opsValue = entry.Property("ops")?.Value;
        var exifValue = entry.Property("exif")?.Value;
        if (kind == "processing")
        {
            if (exifValue is not null) ctx.Report(Diagnostics.InvalidValue, ctx.Span(exifValue), owner, "exif", "applies only to acquisition tasks; a processing class lists 'ops'");
            var array = ctx.Field(entry, "ops", owner, "", JsonKind.Array, "an array of operation ids", required: true);
            if (array is not null)
            {
                if (array.Items.Count == 0) ctx.Report(Diagnostics.InvalidValue, ctx.Span(array), owner, "ops", "must list at least one operation");
                for (var i = 0; i < array.Items.Count; i++)
                {
                    var op = array.Items[i];
                    if (op.Kind != JsonKind.String)
                    {
                        ctx.Report(Diagnostics.WrongType, ctx.Span(op), owner, "ops[" + i.ToString(CultureInfo.InvariantCulture) + "]", "a string", op.KindName);
                    }
                    else if (!ProcessingOps.IsKnown(op.Text!))
                    {
                        ctx.Report(Diagnostics.UnknownOp, ctx.Span(op), owner, op.Text!);
                    }
                    else
                    {
                        ops.Add(op.Text!);
                    }
                }
            }
        }
        else if (kind == "acquisition")
        {
            if (opsValue is not null) ctx.Report(Diagnostics.InvalidValue, ctx.Span(opsValue), owner, "ops", "applies only to processing tasks; an acquisition class gives an 'exif' rule");
            var rule = ctx.Field(entry, "exif", owner, "", JsonKind.Object, "an object", required: true);
            if (rule is not null)
            {
                if (rule.Properties.Count == 0) ctx.Report(Diagnostics.InvalidValue, ctx.Span(rule), owner, "exif", "must give at least one condition");
                foreach (var property in rule.Properties) exif.Add(new ExifCondition(property.Name, ctx.ScalarText(property.Value)));
            }
        }

        if (ctx.Errors > errors || id is null) return (null, id, idValue);
        return (new ClassModel(id, Identifiers.ToMember(id), ops.ToEquatableArray(), exif.ToEquatableArray()), id, idValue);
    }

    private static bool IsSha256(string text)
    {
        if (text.Length != 64) return false;
        foreach (var c in text)
        {
            if (!(c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F')) return false;
        }
        return true;
    }

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
