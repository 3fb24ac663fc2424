using Google.Protobuf;
using Onnx;

namespace TraceProbe.Encoders;

/// <summary>
/// Models exported with a fixed batch of 1 (like the NuGet ResNet18) are rewritten to a symbolic batch
/// dimension so that ONNX Runtime can run batches. Graphs with a Reshape may bake the batch size into a
/// shape constant, so the caller verifies a batched run against single runs before trusting the rewrite.
/// </summary>
public static class BatchDimension
{
    /// <summary>The model's bytes with the leading dimension of every input, output and value made symbolic.</summary>
    public static byte[] MakeSymbolic(string modelPath)
    {
        var model = Parse(modelPath);
        model.Graph.SetDim();
        return model.ToByteArray();
    }

    /// <summary>Opened for shared reading: several sessions (threads or processes) may load one file at once.</summary>
    private static ModelProto Parse(string modelPath)
    {
        using var stream = new FileStream(modelPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ModelProto.Parser.ParseFrom(stream);
    }
}
