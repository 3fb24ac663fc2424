// TEMPORARY: stand-ins until the generator and probe branches merge; deleted at merge.

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
