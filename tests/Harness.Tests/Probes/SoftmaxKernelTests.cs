using TraceProbe.Probes;

namespace TraceProbe.Tests.Probes;

/// <summary>
/// Every length from 0 to 300 covers each SIMD width's remainders; rerun with DOTNET_EnableAVX512F=0,
/// DOTNET_EnableAVX2=0 and DOTNET_EnableHWIntrinsic=0 to cover the narrower paths.
/// </summary>
public class SoftmaxKernelTests
{
    private const int MaxLength = 300;

    // Float rounding grows with the sum of magnitudes of the terms, not with the result.
    private static void Close(double expected, double actual, double magnitude, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-5 * magnitude + 1e-6, $"{what}: expected {expected}, got {actual}");

    // 1: the one-class loop alone; 3: one three-class tile; 5 and 7: tiles and the one-class loop.
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    public void Logits_match_scalar_reference_for_every_dimension(int classes)
    {
        for (var dim = 0; dim <= MaxLength; dim++)
        {
            float[] rows = ProbeData.Uniform(4 * dim, dim), w = ProbeData.Uniform(classes * dim, 1000 + dim), b = ProbeData.Uniform(classes, 7);
            var single = new float[classes];
            var block = new float[4 * classes];
            BlockKernels.Logits(rows.AsSpan(0, dim), rows.AsSpan(dim, dim), rows.AsSpan(2 * dim, dim), rows.AsSpan(3 * dim, dim), w, b, block);
            for (var r = 0; r < 4; r++)
            {
                SoftmaxKernels.Logits(rows.AsSpan(r * dim, dim), w, b, single);
                for (var c = 0; c < classes; c++)
                {
                    double expected = b[c], magnitude = Math.Abs(b[c]);
                    for (var d = 0; d < dim; d++)
                    {
                        expected += (double)w[c * dim + d] * rows[r * dim + d];
                        magnitude += Math.Abs((double)w[c * dim + d] * rows[r * dim + d]);
                    }

                    Close(expected, single[c], magnitude, $"row logit dim={dim} r={r} c={c}");
                    Close(expected, block[r * classes + c], magnitude, $"block logit dim={dim} r={r} c={c}");
                }
            }
        }
    }

    // 1: the one-class loop alone; 3: one three-class tile; 5 and 7: tiles and the one-class loop.
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    public void Add_outer_matches_scalar_reference_for_every_dimension(int classes)
    {
        for (var dim = 0; dim <= MaxLength; dim++)
        {
            float[] rows = ProbeData.Uniform(4 * dim, dim), coef = ProbeData.Uniform(4 * classes, 2000 + dim);
            var start = ProbeData.Uniform(classes * dim, 3000 + dim);
            float[] single = (float[])start.Clone(), block = (float[])start.Clone();
            for (var r = 0; r < 4; r++)
                SoftmaxKernels.AddOuter(coef.AsSpan(r * classes, classes), rows.AsSpan(r * dim, dim), single);
            BlockKernels.AddOuter(coef, rows.AsSpan(0, dim), rows.AsSpan(dim, dim), rows.AsSpan(2 * dim, dim), rows.AsSpan(3 * dim, dim), block, classes);
            for (var c = 0; c < classes; c++)
            {
                for (var d = 0; d < dim; d++)
                {
                    double expected = start[c * dim + d], magnitude = Math.Abs(expected);
                    for (var r = 0; r < 4; r++)
                    {
                        expected += (double)coef[r * classes + c] * rows[r * dim + d];
                        magnitude += Math.Abs((double)coef[r * classes + c] * rows[r * dim + d]);
                    }

                    Close(expected, single[c * dim + d], magnitude, $"row gradient dim={dim} c={c} d={d}");
                    Close(expected, block[c * dim + d], magnitude, $"block gradient dim={dim} c={c} d={d}");
                }
            }
        }
    }

    [Fact]
    public void Softmax_cross_entropy_matches_scalar_reference_for_every_class_count()
    {
        for (var classes = 1; classes <= MaxLength; classes++)
        {
            // Large logits check that the maximum is subtracted before exp.
            var z = ProbeData.Uniform(classes, classes, scale: 40);
            var label = classes / 2;
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            var expectedLoss = Math.Log(sum) + max - z[label];

            var single = (float[])z.Clone();
            var loss = SoftmaxKernels.SoftmaxCrossEntropy(single, label);
            float[] rows = [.. z, .. z];
            var rowsLoss = SoftmaxKernels.SoftmaxCrossEntropyRows(rows, classes, [label, label]);

            Close(expectedLoss, loss, Math.Abs(expectedLoss) + 1, $"loss classes={classes}");
            Close(2 * expectedLoss, rowsLoss, 2 * (Math.Abs(expectedLoss) + 1), $"block loss classes={classes}");
            for (var c = 0; c < classes; c++)
            {
                var expected = Math.Exp(z[c] - max) / sum - (c == label ? 1 : 0);
                Close(expected, single[c], 1, $"gradient classes={classes} c={c}");
                Close(expected, rows[c], 1, $"block gradient classes={classes} c={c}");
                Close(expected, rows[classes + c], 1, $"block gradient row 2 classes={classes} c={c}");
            }
        }
    }

    [Fact]
    public void ArgMax_takes_lowest_index_among_ties_and_skips_NaN()
    {
        Assert.Equal(1, SoftmaxKernels.ArgMax([0f, 2f, 2f, 1f]));
        Assert.Equal(2, SoftmaxKernels.ArgMax([float.NaN, -1f, 3f]));
    }
}
