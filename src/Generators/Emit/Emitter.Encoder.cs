using TraceProbe.Encoders;
using TraceProbe.Generators.Model;

namespace TraceProbe.Generators.Emit;

// An encoder's typed adapter: its constants, then its spec, one nested record per part of the model.
internal static partial class Emitter
{
    public static (string HintName, string Source) Encoder(EncoderModel e)
    {
        var w = Header();
        w.Open("namespace TraceProbe.Encoders.Generated");
        w.Line("/// <summary>");
        w.Line("/// " + Literals.Xml(e.DisplayName) + ": the typed adapter of the encoders.json entry <c>" + Literals.Xml(e.Id) + "</c>.");
        w.Line("/// </summary>");
        w.Line(GeneratedCode);
        w.Open("public static class " + e.TypeName);
        AdapterConstants(w, e);
        w.Line("/// <summary>The whole entry.</summary>");
        w.Line("public static " + Encoders + ".EncoderSpec Spec { get; } = new " + Encoders + ".EncoderSpec(");
        w.Indent();
        w.Line("Id: Id,");
        w.Line("Family: Family,");
        w.Line("DisplayName: DisplayName,");
        Source(w, e.Source);
        ModelFile(w, e.Model);
        Input(w, e.Input);
        Output(w, e.Output);
        Preprocessing(w, e.Preprocessing);
        w.Line("L2Normalize: " + Literals.Bool(e.L2Normalize) + ");");
        w.Outdent();
        w.Close();
        w.Close();
        return ("TraceProbe.Encoders.Generated." + e.TypeName + ".g.cs", w.ToString());
    }

    /// <summary>The constants a caller reads without the spec; the spec refers back to them.</summary>
    private static void AdapterConstants(IndentedWriter w, EncoderModel e)
    {
        w.Line("/// <summary>The registry id.</summary>");
        w.Line("public const string Id = " + Literals.String(e.Id) + ";");
        w.Line();
        w.Line("/// <summary>The name shown in reports.</summary>");
        w.Line("public const string DisplayName = " + Literals.String(e.DisplayName) + ";");
        w.Line();
        w.Line("/// <summary>The paper's encoder family.</summary>");
        w.Line("public const " + Encoders + ".EncoderFamily Family = " + Encoders + ".EncoderFamily." + e.Family + ";");
        w.Line();
        w.Line("/// <summary>The ONNX graph's image input.</summary>");
        w.Line("public const string InputName = " + Literals.String(e.Input.Name) + ";");
        w.Line();
        w.Line("/// <summary>The ONNX graph's output holding the embedding (" + Literals.Xml(e.Output.Embedding) + ").</summary>");
        w.Line("public const string OutputName = " + Literals.String(e.Output.Name) + ";");
        w.Line();
        w.Line("/// <summary>Height in pixels of the encoder's input.</summary>");
        w.Line("public const int ImageHeight = " + Literals.Int(e.Input.Height) + ";");
        w.Line();
        w.Line("/// <summary>Width in pixels of the encoder's input.</summary>");
        w.Line("public const int ImageWidth = " + Literals.Int(e.Input.Width) + ";");
        w.Line();
        w.Line("/// <summary>Length of the embedding vector.</summary>");
        w.Line("public const int EmbeddingDim = " + Literals.Int(e.Output.Dim) + ";");
        w.Line();
    }

    private static void Source(IndentedWriter w, EncoderSourceModel s) =>
        SpecPart(w, "Source", "EncoderSource",
            ("Library", Literals.String(s.Library)),
            ("Name", Literals.String(s.Name)),
            ("Pretrained", Literals.String(s.Pretrained)),
            ("Licence", Literals.String(s.Licence)));

    private static void ModelFile(IndentedWriter w, ModelFileModel m) =>
        SpecPart(w, "Model", "ModelFile",
            ("Path", Literals.String(m.Path)),
            ("Sha256", Literals.String(m.Sha256)),
            ("Url", Literals.String(m.Url)),
            ("Package", Literals.String(m.Package)),
            ("PackagePath", Literals.String(m.PackagePath)));

    private static void Input(IndentedWriter w, EncoderInputModel i) =>
        SpecPart(w, "Input", "EncoderInput",
            ("Name", "InputName"),
            ("Layout", Encoders + ".InputLayout." + RegistryVocabulary.Member(i.Layout)),
            ("DType", Encoders + ".InputDType." + RegistryVocabulary.Member(i.DType)),
            ("Height", "ImageHeight"),
            ("Width", "ImageWidth"),
            ("DynamicBatch", Literals.Bool(i.DynamicBatch)));

    private static void Output(IndentedWriter w, EncoderOutputModel o) =>
        SpecPart(w, "Output", "EncoderOutput",
            ("Name", "OutputName"),
            ("Embedding", Literals.String(o.Embedding)),
            ("Dim", "EmbeddingDim"));

    private static void Preprocessing(IndentedWriter w, PreprocessingModel p) =>
        SpecPart(w, "Preprocessing", "Preprocessing",
            ("ResizeMode", Encoders + ".ResizeMode." + RegistryVocabulary.Member(p.ResizeMode)),
            ("CropPct", Literals.Double(p.CropPct)),
            ("Interpolation", Encoders + ".Interpolation." + RegistryVocabulary.Member(p.Interpolation)),
            ("Mean", FloatArray(p.Mean)),
            ("Std", FloatArray(p.Std)),
            ("MeanImageModel", Literals.String(p.MeanImage)),
            ("ChannelOrder", Encoders + ".ChannelOrder." + RegistryVocabulary.Member(p.ChannelOrder)));

    /// <summary>
    /// One argument of the spec's constructor that is itself a record: <c>Parameter: new Type(</c>, one named
    /// argument a line, closed with <c>),</c> because a later argument always follows.
    /// </summary>
    private static void SpecPart(IndentedWriter w, string parameter, string type, params (string Name, string Value)[] arguments)
    {
        w.Line(parameter + ": new " + Encoders + "." + type + "(");
        w.Indent();
        for (var i = 0; i < arguments.Length; i++)
        {
            w.Line(arguments[i].Name + ": " + arguments[i].Value + (i < arguments.Length - 1 ? "," : "),"));
        }
        w.Outdent();
    }
}
