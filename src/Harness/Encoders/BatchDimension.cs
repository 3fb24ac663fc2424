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
        var model = ModelProto.Parser.ParseFromFile(modelPath);
        model.Graph.SetDim();
        return model.ToByteArray();
    }

    /// <summary>Whether the graph has nodes that can hard-code the batch size (Reshape with a constant shape…).</summary>
    public static bool HasShapeConstants(string modelPath)
    {
        var model = ModelProto.Parser.ParseFromFile(modelPath);
        return model.Graph.Node.Any(n => n.OpType is "Reshape" or "Expand" or "Tile" or "ConstantOfShape");
    }
}
