namespace TraceProbe.Experiments;

/// <summary>Processing traces are applied by us; acquisition traces are read from EXIF.</summary>
public enum TraceKind { Processing, Acquisition }

/// <summary>One class of a trace task: for processing, the chain of operation ids applied in order (paper ids, e.g. "JPEG95_444").</summary>
public sealed record TraceClass(string Id, IReadOnlyList<string> Ops);

/// <summary>One trace task of encoders.json, as the source generator emits it.</summary>
public sealed record TraceTaskSpec(string Id, TraceKind Kind, string DisplayName, IReadOnlyList<TraceClass> Classes)
{
    public double Chance => Classes.Count == 0 ? 0 : 1.0 / Classes.Count;
}
