namespace TraceProbe.Encoders;

/// <summary>Which family of the paper an encoder belongs to.</summary>
public enum EncoderFamily { CVL, SUP, SSL, Control }

/// <summary>How the shorter side (or both sides) is brought to the crop size before the centre crop.</summary>
public enum ResizeMode { Shortest, Squash }

/// <summary>Resampling filters, named as Pillow names them.</summary>
public enum Interpolation { Nearest, Bilinear, Bicubic, Lanczos, Box, Hamming }

/// <summary>The graph's input layout, as encoders.json's <c>input.layout</c> names it.</summary>
public enum InputLayout { NCHW, NHWC }

/// <summary>The graph's input element type, as encoders.json's <c>input.dtype</c> names it.</summary>
public enum InputDType { Float32, Float16 }

/// <summary>The channel order the graph expects its pixels in.</summary>
public enum ChannelOrder { RGB, BGR }

/// <summary>
/// How encoders.json spells each value. This file is compiled into both the generator (which accepts exactly these
/// spellings and emits the enum member whose name is the spelling with its first letter upper-cased) and the harness
/// (whose enums above are the same members, in the same order), so the two cannot drift apart.
/// </summary>
public static class RegistryVocabulary
{
    public static readonly string[] Families = { "CVL", "SUP", "SSL", "control" };
    public static readonly string[] ResizeModes = { "shortest", "squash" };
    // Pillow's six filters: the encoder-input resampler implements each.
    public static readonly string[] Interpolations = { "nearest", "bilinear", "bicubic", "lanczos", "box", "hamming" };
    // Only what the encoder runtime feeds: it converts its float32 NCHW tensor to the layout and type named here.
    public static readonly string[] Layouts = { "NCHW", "NHWC" };
    public static readonly string[] DTypes = { "float32", "float16" };
    public static readonly string[] ChannelOrders = { "RGB", "BGR" };
    // Informational (where the weights come from, which output a user exports): kept as strings in the spec.
    public static readonly string[] Libraries = { "timm", "open_clip", "openai-clip", "hf", "torch.hub", "checkpoint", "torchvision", "nuget" };
    public static readonly string[] Embeddings = { "projected", "pooled", "cls" };

    /// <summary>The enum member a spelling stands for: its first letter upper-cased.</summary>
    public static string Member(string spelling) => char.ToUpperInvariant(spelling[0]) + spelling.Substring(1);
}
