namespace TraceProbe.Encoders;

/// <summary>Which family of the paper an encoder belongs to.</summary>
public enum EncoderFamily { CVL, SUP, SSL, Control }

/// <summary>How the shorter side (or both sides) is brought to the crop size before the centre crop.</summary>
public enum ResizeMode { Shortest, Squash }

/// <summary>Resampling filters, named as Pillow names them.</summary>
public enum Interpolation { Nearest, Bilinear, Bicubic, Lanczos, Box, Hamming }

/// <summary>Where the encoder's weights come from, and how a user obtains them.</summary>
public sealed record EncoderSource(string Library, string Name, string? Pretrained, string? Licence);

/// <summary>The ONNX file: a path relative to the models folder, or a file inside a NuGet package.</summary>
public sealed record ModelFile(string Path, string? Sha256, string? Url, string? Package, string? PackagePath);

public sealed record EncoderInput(string Name, string Layout, string DType, int Height, int Width, bool DynamicBatch);

public sealed record EncoderOutput(string Name, string Embedding, int Dim);

/// <summary>
/// The encoder's own preprocessing. Either <see cref="Mean"/>/<see cref="Std"/> on 0–1 pixels,
/// or raw 0–255 pixels minus a per-pixel mean image taken from <see cref="MeanImageModel"/>.
/// </summary>
public sealed record Preprocessing(
    ResizeMode ResizeMode,
    double? CropPct,
    Interpolation Interpolation,
    float[]? Mean,
    float[]? Std,
    string? MeanImageModel,
    string ChannelOrder);

/// <summary>One entry of encoders.json, as the source generator emits it.</summary>
public sealed record EncoderSpec(
    string Id,
    EncoderFamily Family,
    string DisplayName,
    EncoderSource Source,
    ModelFile Model,
    EncoderInput Input,
    EncoderOutput Output,
    Preprocessing Preprocessing,
    bool L2Normalize);
