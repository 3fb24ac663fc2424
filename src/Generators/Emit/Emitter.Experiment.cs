using System.Collections.Generic;
using System.Linq;
using TraceProbe.Experiments;
using TraceProbe.Generators.Model;

namespace TraceProbe.Generators.Emit;

// A trace task's typed experiment: its label enum, its spec and accessors by label.
internal static partial class Emitter
{
    public static (string HintName, string Source) Experiment(TaskModel t)
    {
        if (t.Classes.Count == 0) return ExperimentFromData(t);
        var label = t.TypeName + "Label";
        var type = t.TypeName + "Experiment";
        var processing = TraceKinds.ShapeOf(t.Kind.ToLowerInvariant()) == ClassShape.Ops;
        var w = Header();
        w.Open("namespace TraceProbe.Experiments.Generated");
        LabelEnum(w, t, label, processing);
        w.Line();

        w.Line("/// <summary>");
        w.Line("/// " + Literals.Xml(t.DisplayName) + ": the typed experiment of the encoders.json task <c>" + Literals.Xml(t.Id) + "</c>.");
        w.Line("/// </summary>");
        OpenExperimentClass(w, t, type);
        w.Line("/// <summary>The number of classes.</summary>");
        w.Line("public const int ClassCount = " + Literals.Int(t.Classes.Count) + ";");
        w.Line();
        w.Line("/// <summary>Every label, in class order.</summary>");
        w.Line("public static " + ReadOnlyList + "<" + label + "> Labels { get; } = new " + label + "[]");
        w.Line("{");
        w.Indent();
        foreach (var c in t.Classes) w.Line(label + "." + c.MemberName + ",");
        w.Outdent();
        w.Line("};");
        w.Line();
        TaskSpecWithClasses(w, t, processing);
        w.Line();
        LabelAccessors(w, t, label, processing);
        w.Close();
        w.Close();
        return ("TraceProbe.Experiments.Generated." + type + ".g.cs", w.ToString());
    }

    /// <summary>One enum member per class, numbered in encoders.json order.</summary>
    private static void LabelEnum(IndentedWriter w, TaskModel t, string label, bool processing)
    {
        w.Line("/// <summary>The classes of the trace task <c>" + Literals.Xml(t.Id) + "</c> (" + Literals.Xml(t.DisplayName) + "), in encoders.json order.</summary>");
        w.Line(GeneratedCode);
        w.Open("public enum " + label);
        for (var i = 0; i < t.Classes.Count; i++)
        {
            var c = t.Classes[i];
            w.Line("/// <summary>Class <c>" + Literals.Xml(c.Id) + "</c>: " + Literals.Xml(Describe(c, processing)) + ".</summary>");
            w.Line(c.MemberName + " = " + Literals.Int(i) + ",");
            if (i < t.Classes.Count - 1) w.Line();
        }
        w.Close();
    }

    /// <summary>The spec with every class: a processing chain each, or an EXIF rule each.</summary>
    private static void TaskSpecWithClasses(IndentedWriter w, TaskModel t, bool processing)
    {
        w.Line("/// <summary>The whole task" + (processing ? ", with each class's processing chain" : ", with each class's EXIF rule") + ".</summary>");
        w.Line("public static " + Experiments + ".TraceTaskSpec Spec { get; } = new " + Experiments + ".TraceTaskSpec(");
        w.Indent();
        w.Line("Id: Id,");
        w.Line("Kind: Kind,");
        w.Line("DisplayName: DisplayName,");
        w.Line("Classes: new " + Experiments + ".TraceClass[]");
        w.Line("{");
        w.Indent();
        foreach (var c in t.Classes)
        {
            if (processing)
            {
                w.Line("new " + Experiments + ".TraceClass(" + Literals.String(c.Id) + ", new string[] { "
                    + string.Join(", ", c.Ops.Select(Literals.String)) + " }),");
            }
            else
            {
                w.Line("new " + Experiments + ".TraceClass(" + Literals.String(c.Id) + ", global::System.Array.Empty<string>())");
                w.Line("{");
                w.Indent();
                w.Line("Exif = " + DictionaryOf(c.Exif.Select(x => (x.Key, x.Value))) + ",");
                w.Outdent();
                w.Line("},");
            }
        }
        w.Outdent();
        SpecInitialisers(w, t, "}");
        w.Outdent();
    }

    /// <summary>What a caller asks of a label: its class id, its chain or EXIF rule, and the label of a class id.</summary>
    private static void LabelAccessors(IndentedWriter w, TaskModel t, string label, bool processing)
    {
        w.Line("/// <summary>The encoders.json id of a class.</summary>");
        w.Line("public static string ClassIdOf(" + label + " label) => Spec.Classes[IndexOf(label)].Id;");
        w.Line();
        if (processing)
        {
            w.Line("/// <summary>The processing chain of a class: operation ids applied in order.</summary>");
            w.Line("public static " + ReadOnlyList + "<string> OpsOf(" + label + " label) => Spec.Classes[IndexOf(label)].Ops;");
        }
        else
        {
            w.Line("/// <summary>The EXIF rule of a class: attribute → required value.</summary>");
            w.Line("public static " + ReadOnlyDictionary + " ExifOf(" + label + " label) =>");
            w.Line("    Spec.Classes[IndexOf(label)].Exif ?? new " + Dictionary + "();");
        }
        w.Line();
        w.Line("/// <summary>The label of a class id (exact spelling), if the task has it.</summary>");
        w.Open("public static bool TryParseLabel(string classId, out " + label + " label)");
        w.Open("for (var i = 0; i < ClassCount; i++)");
        w.Open("if (string.Equals(Spec.Classes[i].Id, classId, global::System.StringComparison.Ordinal))");
        w.Line("label = (" + label + ")i;");
        w.Line("return true;");
        w.Close();
        w.Close();
        w.Line("label = default;");
        w.Line("return false;");
        w.Close();
        w.Line();
        w.Open("private static int IndexOf(" + label + " label)");
        w.Line("var index = (int)label;");
        w.Open("if (index < 0 || index >= ClassCount)");
        w.Line("throw new global::System.ArgumentOutOfRangeException(nameof(label), label, " + Literals.String("Not a class of task '" + t.Id + "'.") + ");");
        w.Close();
        w.Line("return index;");
        w.Close();
    }

    /// <summary>The experiment class's opening and the constants every task has.</summary>
    private static void OpenExperimentClass(IndentedWriter w, TaskModel t, string type)
    {
        w.Line(GeneratedCode);
        w.Open("public static class " + type);
        w.Line("/// <summary>The task id.</summary>");
        w.Line("public const string Id = " + Literals.String(t.Id) + ";");
        w.Line();
        w.Line("/// <summary>The name shown in reports.</summary>");
        w.Line("public const string DisplayName = " + Literals.String(t.DisplayName) + ";");
        w.Line();
        w.Line("/// <summary>Whether the trace is applied by us (processing) or read from EXIF (acquisition).</summary>");
        w.Line("public const " + Experiments + ".TraceKind Kind = " + Experiments + ".TraceKind." + t.Kind + ";");
        w.Line();
    }

    /// <summary>
    /// An acquisition task whose classes are the most frequent values of its attribute in the data, chosen at
    /// run time: there is nothing to type, so no label enum, only the task's constants and spec.
    /// </summary>
    private static (string HintName, string Source) ExperimentFromData(TaskModel t)
    {
        var type = t.TypeName + "Experiment";
        var w = Header();
        w.Open("namespace TraceProbe.Experiments.Generated");
        w.Line("/// <summary>");
        w.Line("/// " + Literals.Xml(t.DisplayName) + ": the typed experiment of the encoders.json task <c>" + Literals.Xml(t.Id) + "</c>.");
        w.Line("/// Its classes are the most frequent values of the EXIF attribute <c>" + Literals.Xml(t.Attribute ?? "") + "</c>, chosen from the data at run time.");
        w.Line("/// </summary>");
        OpenExperimentClass(w, t, type);
        w.Line("/// <summary>The normalised EXIF attribute whose most frequent values become the classes.</summary>");
        w.Line("public const string Attribute = " + Literals.String(t.Attribute) + ";");
        w.Line();
        w.Line("/// <summary>The whole task; <c>Classes</c> is empty because the classes come from the data.</summary>");
        w.Line("public static " + Experiments + ".TraceTaskSpec Spec { get; } = new " + Experiments + ".TraceTaskSpec(");
        w.Indent();
        w.Line("Id: Id,");
        w.Line("Kind: Kind,");
        w.Line("DisplayName: DisplayName,");
        SpecInitialisers(w, t, "Classes: global::System.Array.Empty<" + Experiments + ".TraceClass>()");
        w.Outdent();
        w.Close();
        w.Close();
        return ("TraceProbe.Experiments.Generated." + type + ".g.cs", w.ToString());
    }

    /// <summary>Ends the spec's constructor call (its last argument ends with <paramref name="lastArgument"/>) and adds the optional properties.</summary>
    private static void SpecInitialisers(IndentedWriter w, TaskModel t, string lastArgument)
    {
        var inits = new List<string>();
        if (t.Attribute is not null) inits.Add("Attribute = " + Literals.String(t.Attribute) + ",");
        if (t.MaskRatio is not null) inits.Add("MaskRatio = " + Literals.Double(t.MaskRatio) + ",");
        if (t.Defaults.Count > 0) inits.Add("Defaults = " + DictionaryOf(t.Defaults.Select(x => (x.Key, x.Value))) + ",");
        if (inits.Count == 0)
        {
            w.Line(lastArgument + ");");
            return;
        }
        w.Line(lastArgument + ")");
        w.Line("{");
        w.Indent();
        foreach (var init in inits) w.Line(init);
        w.Outdent();
        w.Line("};");
    }

    private static string Describe(ClassModel c, bool processing) => processing
        ? string.Join(" → ", c.Ops)
        : string.Join(", ", c.Exif.Select(x => x.Key + " = " + x.Value));
}
