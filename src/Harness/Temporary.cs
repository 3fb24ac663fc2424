// TEMPORARY: stand-ins until the generator and probe branches merge; deleted at merge.
using TraceProbe.Encoders;
using TraceProbe.Experiments;

namespace TraceProbe.Encoders
{
    public static partial class EncoderRegistry
    {
        public static IReadOnlyList<EncoderSpec> All { get; } =
        [
            new EncoderSpec("resnet18", EncoderFamily.SUP, "ResNet-18 (ImageNet-1k, ML.NET)",
                new EncoderSource("nuget", "Microsoft.ML.DnnImageFeaturizer.ResNet18", "0.23.1", "MIT"),
                new ModelFile("resnet18/ResNet18.onnx", null, null, "Microsoft.ML.DnnImageFeaturizer.ResNet18", "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx"),
                new EncoderInput("Input247", "NCHW", "float32", 224, 224, false),
                new EncoderOutput("Pooling395_Output_0", "pooled", 512),
                new Preprocessing(ResizeMode.Shortest, null, Interpolation.Bilinear, null, null, "resnet18/ResNetPreprocess.onnx", "BGR"),
                true),
        ];
        public static EncoderSpec? Find(string id) => All.FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.OrdinalIgnoreCase));
    }
}

namespace TraceProbe.Experiments
{
    public static partial class ExperimentRegistry
    {
        public static IReadOnlyList<TraceTaskSpec> All { get; } =
        [
            new TraceTaskSpec("jpeg", TraceKind.Processing, "JPEG compression",
                new[] { "JPEG75_420", "JPEG75_444", "JPEG85_420", "JPEG85_444", "JPEG95_420", "JPEG95_444" }.Select(id => new TraceClass(id, [id])).ToArray()),
        ];
        public static TraceTaskSpec? Find(string id) => All.FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.OrdinalIgnoreCase));
    }
}

namespace TraceProbe.Probes
{
    public enum ProbeProtocol { Fast, Paper }
    public sealed record ProbeOptions { public ulong Seed { get; init; } public ProbeProtocol Protocol { get; init; } }
    public sealed record ProbeResult(double Top1, double MeanPerClassRecall, int[,] Confusion, int Count, double Chance);
    public sealed class ProbeModel
    {
        public int Dim; public int Classes; public float[] Weights = []; public float[] Bias = [];
        public int Predict(ReadOnlySpan<float> row)
        {
            int best = 0; float bv = float.NegativeInfinity;
            for (int c = 0; c < Classes; c++) { var v = System.Numerics.Tensors.TensorPrimitives.Dot(row, Weights.AsSpan(c * Dim, Dim)) + Bias[c]; if (v > bv) { bv = v; best = c; } }
            return best;
        }
    }
    public static class LinearProbe
    {
        public static ProbeModel Fit(ReadOnlySpan<float> x, ReadOnlySpan<int> y, int dim, int classes, ProbeOptions options)
        {
            int n = y.Length; var m = new ProbeModel { Dim = dim, Classes = classes, Weights = new float[classes * dim], Bias = new float[classes] };
            var p = new float[classes]; var gw = new float[classes * dim]; var gb = new float[classes];
            for (int it = 0; it < 300; it++)
            {
                Array.Clear(gw); Array.Clear(gb);
                for (int i = 0; i < n; i++)
                {
                    var row = x.Slice(i * dim, dim);
                    for (int c = 0; c < classes; c++) p[c] = System.Numerics.Tensors.TensorPrimitives.Dot(row, m.Weights.AsSpan(c * dim, dim)) + m.Bias[c];
                    System.Numerics.Tensors.TensorPrimitives.SoftMax(p, p); p[y[i]] -= 1;
                    for (int c = 0; c < classes; c++) { System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(row, p[c], gw.AsSpan(c * dim, dim), gw.AsSpan(c * dim, dim)); gb[c] += p[c]; }
                }
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gw, -20f / n, m.Weights, m.Weights);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gb, -20f / n, m.Bias, m.Bias);
            }
            return m;
        }
        public static ProbeResult Evaluate(ProbeModel model, ReadOnlySpan<float> x, ReadOnlySpan<int> y)
        {
            var conf = new int[model.Classes, model.Classes]; int ok = 0;
            for (int i = 0; i < y.Length; i++) { var p = model.Predict(x.Slice(i * model.Dim, model.Dim)); conf[y[i], p]++; if (p == y[i]) ok++; }
            double rec = 0; int nc = 0;
            for (int c = 0; c < model.Classes; c++) { int t = 0; for (int k = 0; k < model.Classes; k++) t += conf[c, k]; if (t > 0) { rec += (double)conf[c, c] / t; nc++; } }
            return new ProbeResult((double)ok / y.Length, nc == 0 ? 0 : rec / nc, conf, y.Length, 1.0 / model.Classes);
        }
    }
}
