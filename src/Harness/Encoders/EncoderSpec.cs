namespace TraceProbe.Encoders;

/// <summary>Where the encoder's weights come from, and how a user obtains them.</summary>
public sealed record EncoderSource(string Library, string Name, string? Pretrained, string? Licence);

/// <summary>The ONNX file: a path relative to the models folder, or a file inside a NuGet package.</summary>
public sealed record ModelFile(string Path, string? Sha256, string? Url, string? Package, string? PackagePath);

// The enumerations (family, resize mode, interpolation, layout, dtype, channel order) are src/Vocabulary/RegistryVocabulary.cs,
// shared with the generator.
public sealed record EncoderInput(string Name, InputLayout Layout, InputDType DType, int Height, int Width, bool DynamicBatch);

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
    ChannelOrder ChannelOrder);

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
