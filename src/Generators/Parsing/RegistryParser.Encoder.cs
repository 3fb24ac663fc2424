using System;
using System.Collections.Generic;
using System.Globalization;
using TraceProbe.Encoders;
using TraceProbe.Generators.Json;
using TraceProbe.Generators.Model;

namespace TraceProbe.Generators.Parsing;

// An encoder entry: one method per part of the spec, in the order the parts are read.
internal static partial class RegistryParser
{
    // The spellings are shared with the harness's enums (src/Vocabulary/RegistryVocabulary.cs).
    private static readonly string[] Families = RegistryVocabulary.Families;
    private static readonly string[] Libraries = RegistryVocabulary.Libraries;
    private static readonly string[] Layouts = RegistryVocabulary.Layouts;
    private static readonly string[] DTypes = RegistryVocabulary.DTypes;
    private static readonly string[] Embeddings = RegistryVocabulary.Embeddings;
    private static readonly string[] ResizeModes = RegistryVocabulary.ResizeModes;
    private static readonly string[] Interpolations = RegistryVocabulary.Interpolations;
    private static readonly string[] ChannelOrders = RegistryVocabulary.ChannelOrders;

    /// <summary>Values a reader of ONNX models may expect but the runtime cannot honour, with the reason (TP0012).</summary>
    private static readonly Dictionary<string, string> Unsupported = new(StringComparer.Ordinal)
    {
        ["input.dtype=uint8"] = "the harness feeds resized, normalised float pixels; export the graph with float32 or float16 input",
    };

    private static readonly string[] EncoderFields = { "id", "family", "display_name", "source", "model", "input", "output", "preprocessing", "l2_normalize" };
    private static readonly string[] SourceFields = { "library", "name", "pretrained", "licence" };
    private static readonly string[] ModelFields = { "file", "sha256", "url", "package", "package_path" };
    private static readonly string[] InputFields = { "name", "layout", "dtype", "image_size", "dynamic_batch" };
    private static readonly string[] OutputFields = { "name", "embedding", "dim" };
    private static readonly string[] PreprocessingFields = { "resize_mode", "crop_pct", "interpolation", "mean", "std", "mean_image", "channel_order" };

    /// <summary>Generated adapter members; an encoder type may not share a name with them.</summary>
    private static readonly HashSet<string> AdapterMembers = new(StringComparer.Ordinal)
    {
        "Id", "DisplayName", "Family", "InputName", "OutputName", "ImageHeight", "ImageWidth", "EmbeddingDim", "Spec",
    };

    public static string TypeNameOf(string encoderId)
    {
        var name = Identifiers.ToPascal(encoderId);
        return AdapterMembers.Contains(name) ? name + "Encoder" : name;
    }

    private static (EncoderModel? Model, string? Id, JsonValue? IdValue) ParseEncoder(Context ctx, JsonValue entry, int index)
    {
        if (!BeginEntry(ctx, entry, "encoders", "encoder", index, EncoderFields, out var owner, out var id, out var idValue, out var errors))
            return (null, null, null);

        var family = ctx.Enum(entry, "family", owner, "", Families, null);
        var displayName = ctx.String(entry, "display_name", owner, "", required: true);
        var source = ParseSource(ctx, entry, owner);
        var model = ParseModelFile(ctx, entry, owner);
        var input = ParseInput(ctx, entry, owner);
        var output = ParseOutput(ctx, entry, owner);
        var preprocessing = ParsePreprocessing(ctx, entry, owner);
        var l2 = ctx.Bool(entry, "l2_normalize", owner, "", fallback: true);

        // A part is null only after an error of its own; the patterns unwrap the parts for the constructor.
        if (ctx.Errors > errors || id is null || source is not { } sourcePart || model is not { } modelPart
            || input is not { } inputPart || output is not { } outputPart || preprocessing is not { } preprocessingPart)
        {
            return (null, id, idValue);
        }

        return (new EncoderModel(
            id,
            TypeNameOf(id),
            family == "control" ? "Control" : family!,
            displayName!,
            sourcePart, modelPart, inputPart, outputPart, preprocessingPart,
            l2!.Value), id, idValue);
    }

    private static EncoderSourceModel? ParseSource(Context ctx, JsonValue entry, string owner)
    {
        var source = ctx.Section(entry, "source", owner, SourceFields);
        if (source is null) return null;
        var errors = ctx.Errors;
        var library = ctx.Enum(source, "library", owner, "source.", Libraries, null);
        var name = ctx.String(source, "name", owner, "source.", required: true);
        var pretrained = ctx.String(source, "pretrained", owner, "source.", required: false);
        var licence = ctx.String(source, "licence", owner, "source.", required: false);
        return ctx.Errors > errors ? null : new EncoderSourceModel(library!, name!, pretrained, licence);
    }

    private static ModelFileModel? ParseModelFile(Context ctx, JsonValue entry, string owner)
    {
        var model = ctx.Section(entry, "model", owner, ModelFields);
        if (model is null) return null;
        var errors = ctx.Errors;
        var file = ctx.String(model, "file", owner, "model.", required: true);
        var sha256 = ctx.String(model, "sha256", owner, "model.", required: false);
        if (sha256 is not null && !IsSha256(sha256))
        {
            ctx.Report(Diagnostics.InvalidValue, ctx.Span(model.Property("sha256")!.Value), owner, "model.sha256", "must be 64 hexadecimal digits");
        }
        var url = ctx.String(model, "url", owner, "model.", required: false);
        var package = ctx.String(model, "package", owner, "model.", required: false);
        var packagePath = ctx.String(model, "package_path", owner, "model.", required: package is not null);
        return ctx.Errors > errors ? null : new ModelFileModel(file!, sha256, url, package, packagePath);
    }

    private static EncoderInputModel? ParseInput(Context ctx, JsonValue entry, string owner)
    {
        var input = ctx.Section(entry, "input", owner, InputFields);
        if (input is null) return null;
        var errors = ctx.Errors;
        var name = ctx.String(input, "name", owner, "input.", required: true);
        var layout = ctx.Enum(input, "layout", owner, "input.", Layouts, "NCHW");
        var dtype = ctx.Enum(input, "dtype", owner, "input.", DTypes, "float32", Unsupported);
        var (height, width) = ParseImageSize(ctx, input, owner);
        var dynamicBatch = ctx.Bool(input, "dynamic_batch", owner, "input.", fallback: false);
        return ctx.Errors > errors ? null : new EncoderInputModel(name!, layout!, dtype!, height!.Value, width!.Value, dynamicBatch!.Value);
    }

    /// <summary>input.image_size, [height, width] in pixels; either is null after a reported problem.</summary>
    private static (int? Height, int? Width) ParseImageSize(Context ctx, JsonValue input, string owner)
    {
        var size = ctx.Field(input, "image_size", owner, "input.", JsonKind.Array, "an array [height, width]", required: true);
        if (size is null) return (null, null);
        if (size.Items.Count != 2)
        {
            ctx.Report(Diagnostics.WrongLength, ctx.Span(size), owner, "input.image_size", "2 ([height, width])", size.Items.Count.ToString(CultureInfo.InvariantCulture));
            return (null, null);
        }
        var height = ctx.PositiveInt(size.Items[0], owner, "input.image_size[0]");
        var width = ctx.PositiveInt(size.Items[1], owner, "input.image_size[1]");
        return (height, width);
    }

    private static EncoderOutputModel? ParseOutput(Context ctx, JsonValue entry, string owner)
    {
        var output = ctx.Section(entry, "output", owner, OutputFields);
        if (output is null) return null;
        var errors = ctx.Errors;
        var name = ctx.String(output, "name", owner, "output.", required: true);
        var embedding = ctx.Enum(output, "embedding", owner, "output.", Embeddings, null);
        var dimValue = ctx.Field(output, "dim", owner, "output.", JsonKind.Number, "a positive integer", required: true);
        var dim = dimValue is null ? null : ctx.PositiveInt(dimValue, owner, "output.dim");
        return ctx.Errors > errors ? null : new EncoderOutputModel(name!, embedding!, dim!.Value);
    }

    private static PreprocessingModel? ParsePreprocessing(Context ctx, JsonValue entry, string owner)
    {
        var pre = ctx.Section(entry, "preprocessing", owner, PreprocessingFields);
        if (pre is null) return null;
        var errors = ctx.Errors;
        var resizeMode = ctx.Enum(pre, "resize_mode", owner, "preprocessing.", ResizeModes, null);
        var cropPct = ctx.Fraction(pre, "crop_pct", owner, "preprocessing.");
        var interpolation = ctx.Enum(pre, "interpolation", owner, "preprocessing.", Interpolations, null);
        var mean = ctx.Triple(pre, "mean", owner, positive: false);
        var std = ctx.Triple(pre, "std", owner, positive: true);
        var meanImage = ctx.String(pre, "mean_image", owner, "preprocessing.", required: false);
        var channelOrder = ctx.Enum(pre, "channel_order", owner, "preprocessing.", ChannelOrders, "RGB");
        CheckNormalisation(ctx, pre, owner);
        if (ctx.Errors > errors) return null;
        return new PreprocessingModel(
            resizeMode!, cropPct, interpolation!,
            (mean ?? new List<string>()).ToEquatableArray(),
            (std ?? new List<string>()).ToEquatableArray(),
            meanImage, channelOrder!);
    }

    /// <summary>Exactly one way to normalise: mean and std on 0–1 pixels, or a mean image on 0–255 pixels (TP0008).</summary>
    private static void CheckNormalisation(Context ctx, JsonValue pre, string owner)
    {
        var hasMean = pre.Property("mean") is not null;
        var hasStd = pre.Property("std") is not null;
        var hasMeanImage = pre.Property("mean_image") is not null;
        string? problem = null;
        if (hasMeanImage && (hasMean || hasStd)) problem = "'mean_image' cannot be combined with 'mean'/'std'";
        else if (!hasMeanImage && !hasMean && !hasStd) problem = "neither is given";
        else if (!hasMeanImage && hasMean != hasStd) problem = hasMean ? "'std' is missing" : "'mean' is missing";
        if (problem is not null) ctx.Report(Diagnostics.Normalisation, ctx.Span(pre), owner, problem);
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
}
