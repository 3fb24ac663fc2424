using TraceProbe.Common;
using TraceProbe.Erasure;

namespace TraceProbe.Tests.Erasure;

public class TraceEraserTests
{
    private const int Dim = 16, Traces = 3, Semantics = 4;

    /// <summary>
    /// Semantic class offsets live in dims 0–3, trace offsets in dims 4–6, and correlated, anisotropic
    /// noise spans all dims, so that erasing well needs the whitening and not just removing dims 4–6.
    /// </summary>
    private static (float[] X, int[] Trace, int[] Semantic) Data(ulong seed, int n)
    {
        var rng = new SeededRandom(seed);
        var mix = new SeededRandom(1234); // the same noise covariance for every sample set
        var m = new double[Dim * Dim];
        for (var i = 0; i < m.Length; i++) m[i] = (mix.NextDouble() - 0.5) * (i % (Dim + 1) == 0 ? 2.0 : 0.6);
        var x = new float[n * Dim];
        var trace = new int[n];
        var semantic = new int[n];
        Span<double> g = stackalloc double[Dim];
        for (var i = 0; i < n; i++)
        {
            trace[i] = rng.Next(Traces);
            semantic[i] = rng.Next(Semantics);
            for (var d = 0; d < Dim; d++) g[d] = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            for (var d = 0; d < Dim; d++)
            {
                double v = 0;
                for (var e = 0; e < Dim; e++) v += m[d * Dim + e] * g[e] * 0.3;
                x[i * Dim + d] = (float)v;
            }
            x[i * Dim + semantic[i]] += 2f;
            x[i * Dim + 4 + trace[i]] += 1.5f;
            x[i * Dim + 7] += 0.8f * trace[i]; // a trace direction that shares noise with the semantic dims
        }
        return (x, trace, semantic);
    }

    /// <summary>A softmax regression trained by full-batch gradient descent: a real linear classifier.</summary>
    private static double LinearProbeAccuracy(float[] trainX, int[] trainY, float[] testX, int[] testY, int classes)
    {
        int n = trainY.Length, d1 = Dim + 1;
        var w = new double[classes * d1];
        var grad = new double[w.Length];
        var p = new double[classes];
        double Logit(float[] x, int i, int c)
        {
            var s = w[c * d1 + Dim];
            for (var d = 0; d < Dim; d++) s += w[c * d1 + d] * x[i * Dim + d];
            return s;
        }
        for (var it = 0; it < 300; it++)
        {
            Array.Clear(grad);
            for (var i = 0; i < n; i++)
            {
                var max = double.NegativeInfinity;
                for (var c = 0; c < classes; c++) max = Math.Max(max, p[c] = Logit(trainX, i, c));
                double z = 0;
                for (var c = 0; c < classes; c++) z += p[c] = Math.Exp(p[c] - max);
                for (var c = 0; c < classes; c++)
                {
                    var r = p[c] / z - (trainY[i] == c ? 1 : 0);
                    for (var d = 0; d < Dim; d++) grad[c * d1 + d] += r * trainX[i * Dim + d];
                    grad[c * d1 + Dim] += r;
                }
            }
            for (var k = 0; k < w.Length; k++) w[k] -= 0.5 * grad[k] / n;
        }
        var correct = 0;
        for (var i = 0; i < testY.Length; i++)
        {
            var best = 0;
            for (var c = 1; c < classes; c++) if (Logit(testX, i, c) > Logit(testX, i, best)) best = c;
            if (best == testY[i]) correct++;
        }
        return (double)correct / testY.Length;
    }

    private static (float[], int[], float[], int[]) Halves(float[] x, int[] y)
    {
        var h = y.Length / 2;
        return (x[..(h * Dim)], y[..h], x[(h * Dim)..], y[h..]);
    }

    [Fact]
    public void Erasure_leaves_a_linear_probe_at_chance_on_held_out_data_and_keeps_semantics()
    {
        var (train, trainTrace, _) = Data(1, 1500);
        var (held, heldTrace, heldSemantic) = Data(2, 1200);
        var eraser = TraceEraser.Fit(train, trainTrace, Dim, Traces);
        Assert.Equal(Traces - 1, eraser.Rank);
        var erased = eraser.Apply(held);

        var (ax, at, bx, bt) = Halves(held, heldTrace);
        var (eax, _, ebx, _) = Halves(erased, heldTrace);
        var (_, asem, _, bsem) = Halves(held, heldSemantic);

        var traceBefore = LinearProbeAccuracy(ax, at, bx, bt, Traces);
        var traceAfter = LinearProbeAccuracy(eax, at, ebx, bt, Traces);
        var semanticBefore = LinearProbeAccuracy(ax, asem, bx, bsem, Semantics);
        var semanticAfter = LinearProbeAccuracy(eax, asem, ebx, bsem, Semantics);

        Assert.True(traceBefore > 0.95, $"trace before {traceBefore}");
        Assert.InRange(traceAfter, 0.25, 0.42); // chance is 1/3; 600 test rows give a std of about 0.02
        Assert.True(semanticBefore > 0.9, $"semantic before {semanticBefore}");
        Assert.True(semanticAfter > semanticBefore - 0.05, $"semantic {semanticBefore} -> {semanticAfter}");
    }

    [Fact]
    public void Erased_training_data_has_equal_class_means()
    {
        var (train, trace, _) = Data(3, 900);
        var erased = TraceEraser.Fit(train, trace, Dim, Traces).Apply(train);
        var means = new double[Traces, Dim];
        var counts = new int[Traces];
        for (var i = 0; i < trace.Length; i++)
        {
            counts[trace[i]]++;
            for (var d = 0; d < Dim; d++) means[trace[i], d] += erased[i * Dim + d];
        }
        for (var d = 0; d < Dim; d++)
            for (var c = 1; c < Traces; c++)
                Assert.Equal(means[0, d] / counts[0], means[c, d] / counts[c], 1e-4);
    }

    [Fact]
    public void In_place_application_equals_the_copy_and_degenerate_inputs_are_handled()
    {
        var (x, y, _) = Data(4, 300);
        var eraser = TraceEraser.Fit(x, y, Dim, Traces);
        var copy = eraser.Apply(x);
        var inPlace = (float[])x.Clone();
        eraser.Apply(inPlace, inPlace);
        Assert.Equal(copy, inPlace);

        // One class only: nothing to erase, the map is the identity.
        var single = TraceEraser.Fit(x, new int[y.Length], Dim, 1);
        Assert.Equal(0, single.Rank);
        Assert.Equal(x, single.Apply(x));

        var e = Assert.Throws<ArgumentException>(() => TraceEraser.Fit(x, [.. y[..^1], 5], Dim, Traces));
        Assert.Equal("y", e.ParamName);
    }
}
