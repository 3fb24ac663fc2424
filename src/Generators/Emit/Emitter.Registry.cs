using TraceProbe.Generators.Model;

namespace TraceProbe.Generators.Emit;

// The two registries: every generated spec in file order, and a lookup by id.
internal static partial class Emitter
{
    public static (string HintName, string Source) EncoderRegistry(EquatableArray<RegistryEntry> entries) =>
        Registry("TraceProbe.Encoders", "EncoderRegistry", Encoders + ".EncoderSpec", "global::TraceProbe.Encoders.Generated.",
            "Every encoder of encoders.json, in file order.", "encoder", entries);

    public static (string HintName, string Source) ExperimentRegistry(EquatableArray<RegistryEntry> entries) =>
        Registry("TraceProbe.Experiments", "ExperimentRegistry", Experiments + ".TraceTaskSpec", "global::TraceProbe.Experiments.Generated.",
            "Every trace task of encoders.json, in file order.", "task", entries);

    /// <summary>The registry's content hash beside the encoder registry (its own file, so the index stays cached on edits).</summary>
    public static (string HintName, string Source) RegistryHash(string sha256)
    {
        var w = Header();
        w.Open("namespace TraceProbe.Encoders");
        w.Open("public static partial class EncoderRegistry");
        w.Line("/// <summary>SHA-256 of encoders.json as compiled into this program (line endings as \\n).</summary>");
        w.Line("public const string Sha256 = " + Literals.String(sha256) + ";");
        w.Close();
        w.Close();
        return ("TraceProbe.Encoders.EncoderRegistry.Sha256.g.cs", w.ToString());
    }

    private static (string HintName, string Source) Registry(string ns, string name, string specType, string typePrefix,
        string summary, string what, EquatableArray<RegistryEntry> entries)
    {
        var w = Header();
        w.Open("namespace " + ns);
        w.Line(GeneratedCode);
        w.Open("public static partial class " + name);
        w.Line("/// <summary>" + summary + "</summary>");
        w.Line("public static " + ReadOnlyList + "<" + specType + "> All { get; } = new " + specType + "[]");
        w.Line("{");
        w.Indent();
        foreach (var entry in entries) w.Line(typePrefix + entry.TypeName + ".Spec,");
        w.Outdent();
        w.Line("};");
        w.Line();
        w.Line("/// <summary>The " + what + " with this id (ignoring case), or null.</summary>");
        w.Open("public static " + specType + "? Find(string id)");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(id);");
        w.Open("foreach (var spec in All)");
        w.Line("if (string.Equals(spec.Id, id, global::System.StringComparison.OrdinalIgnoreCase)) return spec;");
        w.Close();
        w.Line("return null;");
        w.Close();
        w.Close();
        w.Close();
        return (ns + "." + name + ".g.cs", w.ToString());
    }
}
