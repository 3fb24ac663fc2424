namespace TraceProbe.Experiments;

/// <summary>What a kind of trace task is: processing traces are applied by us; acquisition traces are read from EXIF.</summary>
public enum TraceKind { Processing, Acquisition }

/// <summary>What a task's classes are made of in encoders.json.</summary>
public enum ClassShape
{
    /// <summary><c>"ops"</c>: a processing chain each (the grammar of OpGrammar).</summary>
    Ops,
    /// <summary><c>"exif"</c>: an EXIF rule each; the classes may also be left to the data.</summary>
    ExifRule,
}

/// <summary>
/// The kinds of trace task, as encoders.json spells them and with the shape of their classes; compiled into the
/// generator (which checks and emits them) and the harness. A new kind is a member here, a row in
/// <c>ExperimentTable</c> and its experiment (docs/architecture.md, "Adding a trace task").
/// </summary>
public static class TraceKinds
{
    /// <summary>Spelling i is <see cref="TraceKind"/> member i, first letter lower-cased.</summary>
    public static readonly string[] Spellings = { "processing", "acquisition" };

    /// <summary>The class shape of a kind, by its spelling (an unknown spelling has none).</summary>
    public static ClassShape? ShapeOf(string? spelling) => spelling switch
    {
        "processing" => ClassShape.Ops,
        "acquisition" => ClassShape.ExifRule,
        _ => null,
    };
}
