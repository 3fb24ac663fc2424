namespace TraceProbe.Generators.Model;

/// <summary>The text of one encoders.json, the generator's only input.</summary>
internal readonly record struct RegistryFile(string Path, string Text);

/// <summary>
/// One encoder entry, validated. Numbers that become float/double literals keep their JSON text so the
/// emitted constants are exactly what the file says.
/// </summary>
internal readonly record struct EncoderModel(
    string Id,
    string TypeName,
    string Family,
    string DisplayName,
    string Library,
    string SourceName,
    string? Pretrained,
    string? Licence,
    string ModelPath,
    string? Sha256,
    string? Url,
    string? Package,
    string? PackagePath,
    string InputName,
    string Layout,
    string DType,
    int Height,
    int Width,
    bool DynamicBatch,
    string OutputName,
    string Embedding,
    int Dim,
    string ResizeMode,
    string? CropPct,
    string Interpolation,
    EquatableArray<string> Mean,
    EquatableArray<string> Std,
    string? MeanImage,
    string ChannelOrder,
    bool L2Normalize);

/// <summary>One EXIF condition of an acquisition class; the value is the JSON string, or the JSON text of any other value.</summary>
internal readonly record struct ExifCondition(string Key, string Value);

/// <summary>A trace class: its id, the enum member it becomes, and its processing chain or EXIF rule.</summary>
internal readonly record struct ClassModel(
    string Id, string MemberName, EquatableArray<string> Ops, EquatableArray<ExifCondition> Exif);

/// <summary>A task default (e.g. the number of seeds) given in the task's "defaults" object.</summary>
internal readonly record struct TaskDefault(string Key, string Value);

/// <summary>One trace task, validated.</summary>
internal readonly record struct TaskModel(
    string Id,
    string TypeName,
    string Kind,
    string DisplayName,
    string? Attribute,
    string? MaskRatio,
    EquatableArray<TaskDefault> Defaults,
    EquatableArray<ClassModel> Classes);

/// <summary>What one registry file yields: the valid entries and every problem found.</summary>
internal readonly record struct RegistryModel(
    EquatableArray<EncoderModel> Encoders,
    EquatableArray<TaskModel> Tasks,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A registry row: the id and the generated type holding its spec.</summary>
internal readonly record struct RegistryEntry(string Id, string TypeName);
