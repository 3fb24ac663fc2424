namespace TraceProbe.Generators.Model;

/// <summary>
/// One encoder entry, validated, nested like the runtime's <c>EncoderSpec</c> so that each part maps onto
/// the record it becomes. Numbers that become float/double literals keep their JSON text so the emitted
/// constants are exactly what the file says.
/// </summary>
internal readonly record struct EncoderModel(
    string Id,
    string TypeName,
    string Family,
    string DisplayName,
    EncoderSourceModel Source,
    ModelFileModel Model,
    EncoderInputModel Input,
    EncoderOutputModel Output,
    PreprocessingModel Preprocessing,
    bool L2Normalize);

/// <summary>Where the weights come from (<c>EncoderSource</c>).</summary>
internal readonly record struct EncoderSourceModel(string Library, string Name, string? Pretrained, string? Licence);

/// <summary>The ONNX file (<c>ModelFile</c>).</summary>
internal readonly record struct ModelFileModel(string Path, string? Sha256, string? Url, string? Package, string? PackagePath);

/// <summary>The graph's image input (<c>EncoderInput</c>).</summary>
internal readonly record struct EncoderInputModel(string Name, string Layout, string DType, int Height, int Width, bool DynamicBatch);

/// <summary>The graph's embedding output (<c>EncoderOutput</c>).</summary>
internal readonly record struct EncoderOutputModel(string Name, string Embedding, int Dim);

/// <summary>
/// The encoder's own preprocessing (<c>Preprocessing</c>); enum values keep their encoders.json spelling.
/// <see cref="Mean"/> and <see cref="Std"/> are empty when a mean image normalises instead.
/// </summary>
internal readonly record struct PreprocessingModel(
    string ResizeMode,
    string? CropPct,
    string Interpolation,
    EquatableArray<string> Mean,
    EquatableArray<string> Std,
    string? MeanImage,
    string ChannelOrder);
