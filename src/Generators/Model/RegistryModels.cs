namespace TraceProbe.Generators.Model;

/// <summary>The text of one encoders.json, the generator's only input.</summary>
internal readonly record struct RegistryFile(string Path, string Text);

/// <summary>What one registry file yields: the valid entries and every problem found.</summary>
internal readonly record struct RegistryModel(
    EquatableArray<EncoderModel> Encoders,
    EquatableArray<TaskModel> Tasks,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A registry row: the id and the generated type holding its spec.</summary>
internal readonly record struct RegistryEntry(string Id, string TypeName);
