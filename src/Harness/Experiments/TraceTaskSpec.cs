namespace TraceProbe.Experiments;

// TraceKind and the class shapes are src/Vocabulary/TraceKinds.cs, shared with the generator.

/// <summary>One class of a trace task: for processing, the chain of operation ids applied in order (paper ids, e.g. "JPEG95_444").</summary>
public sealed record TraceClass(string Id, IReadOnlyList<string> Ops)
{
    /// <summary>For acquisition classes, the EXIF rule: attribute → required value (as written in encoders.json); null for processing classes.</summary>
    public IReadOnlyDictionary<string, string>? Exif { get; init; }
}

/// <summary>One trace task of encoders.json, as the source generator emits it.</summary>
public sealed record TraceTaskSpec(string Id, TraceKind Kind, string DisplayName, IReadOnlyList<TraceClass> Classes)
{
    public double Chance => Classes.Count == 0 ? 0 : 1.0 / Classes.Count;

    /// <summary>For acquisition tasks, the normalised EXIF attribute the classes are drawn from (e.g. "make").</summary>
    public string? Attribute { get; init; }

    /// <summary>The centre-mask area ratio this task uses by default, when it masks (paper text 0.9, paper code 0.95).</summary>
    public double? MaskRatio { get; init; }

    /// <summary>Other defaults of the task, as written in encoders.json's "defaults" object (numbers as their JSON text).</summary>
    public IReadOnlyDictionary<string, string> Defaults { get; init; } = new Dictionary<string, string>();
}
