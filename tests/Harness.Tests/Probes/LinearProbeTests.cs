using TraceProbe.Probes;

namespace TraceProbe.Tests.Probes;

public class LinearProbeTests
{
    // 37 rows: a group of eight four-row blocks, one more block and a remainder row; 75: two groups and more.
    [Theory]
    [InlineData(37)]
    [InlineData(75)]
    public void Gradient_matches_finite_differences_of_reference_loss(int rows)
    {
        const int dim = 13, classes = 4;
        var (x, y) = ProbeData.Gaussian(rows, dim, classes, 1.0, seed: 5);
        var parameters = ProbeData.Uniform(classes * (dim + 1), 9, scale: 2);
        var theta = parameters.Select(v => (double)v).ToArray();
        var gradient = new float[parameters.Length];
        var loss = SoftmaxObjective.MeanLossAndGradient(x, y, dim, classes, parameters, gradient, threads: 1);

        Assert.Equal(ProbeData.ReferenceLoss(x, y, dim, classes, theta), loss, 1e-5);
        const double h = 1e-5;
        for (var i = 0; i < theta.Length; i++)
        {
            var keep = theta[i];
            theta[i] = keep + h;
            var up = ProbeData.ReferenceLoss(x, y, dim, classes, theta);
            theta[i] = keep - h;
            var down = ProbeData.ReferenceLoss(x, y, dim, classes, theta);
            theta[i] = keep;
            var numeric = (up - down) / (2 * h);
            Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-4 * (1 + Math.Abs(numeric)), $"parameter {i}: finite difference {numeric}, analytic {gradient[i]}");
        }
    }

    /// <summary>
    /// The Fast solver works in centred coordinates with a preconditioner; what it returns must still be the
    /// minimum of the stated objective, mean cross-entropy + λ/2·‖W‖² in (W, b), on data with a large shared
    /// mean like real (non-negative) embeddings, where a bias mistake would show.
    /// </summary>
    [Theory]
    [InlineData(1e-2)]
    [InlineData(1e-4)]
    public void Fast_fit_is_the_minimum_of_the_stated_objective(double lambda)
    {
        const int dim = 24, classes = 5, rows = 300;
        var (x, y) = ProbeData.Gaussian(rows, dim, classes, 0.5, seed: 21);
        for (var i = 0; i < x.Length; i++)
            x[i] = x[i] * 0.3f + 0.8f / MathF.Sqrt(dim);
        var model = LinearProbe.Fit(x, y, dim, classes, new ProbeOptions { Lambda = lambda, Tolerance = 1e-7, MaxIterations = 2000 });

        float[] parameters = [.. model.Weights, .. model.Bias];
        var gradient = new float[parameters.Length];
        SoftmaxObjective.MeanLossAndGradient(x, y, dim, classes, parameters, gradient, threads: 1);
        var atZero = new float[parameters.Length];
        SoftmaxObjective.MeanLossAndGradient(x, y, dim, classes, new float[parameters.Length], atZero, threads: 1);
        // Float parameters and float sums bound how close to zero the gradient can get: 1e-3 of its size at zero.
        double scale = atZero.Max(v => Math.Abs(v));
        for (var i = 0; i < parameters.Length; i++)
        {
            var stationary = gradient[i] + (i < classes * dim ? lambda * parameters[i] : 0);
            Assert.True(Math.Abs(stationary) <= 1e-3 * scale, $"parameter {i}: gradient {stationary:g3} of the objective at the fit (at zero: {scale:g3})");
        }
    }

    [Theory]
    [InlineData(ProbeProtocol.Fast)]
    [InlineData(ProbeProtocol.Paper)]
    public void Separable_data_is_classified_perfectly(ProbeProtocol protocol)
    {
        var (train, trainY) = ProbeData.Gaussian(400, 32, 4, separation: 3, seed: 11);
        var (test, testY) = ProbeData.Gaussian(400, 32, 4, separation: 3, seed: 12);
        var model = LinearProbe.Fit(train, trainY, 32, 4, new ProbeOptions { Protocol = protocol, Trials = 3, Epochs = 30 });
        var result = LinearProbe.Evaluate(model, test, testY);
        Assert.Equal(1.0, result.Top1);
        Assert.Equal(1.0, result.MeanPerClassRecall);
    }

    [Fact]
    public void Shuffled_labels_give_chance_on_held_out_data()
    {
        const int classes = 6;
        var (train, _) = ProbeData.Gaussian(600, 64, classes, separation: 1, seed: 21);
        var (test, _) = ProbeData.Gaussian(3000, 64, classes, separation: 1, seed: 22);
        var random = new Random(23);
        var trainY = Enumerable.Range(0, 600).Select(_ => random.Next(classes)).ToArray();
        var testY = Enumerable.Range(0, 3000).Select(_ => random.Next(classes)).ToArray();
        var model = LinearProbe.Fit(train, trainY, 64, classes, new ProbeOptions());
        var result = LinearProbe.Evaluate(model, test, testY);

        // Four binomial standard deviations around 1/6 on 3000 rows: a probe that leaked labels would be far above.
        double chance = 1.0 / classes, std = Math.Sqrt(chance * (1 - chance) / testY.Length);
        Assert.Equal(chance, result.Chance, 12);
        Assert.InRange(result.Top1, chance - 4 * std, chance + 4 * std);

        // The same probe does fit its own training labels above chance: it learned, it did not leak.
        Assert.True(LinearProbe.Evaluate(model, train, trainY).Top1 > chance + 4 * Math.Sqrt(chance * (1 - chance) / 600));
    }

    [Theory]
    [InlineData(ProbeProtocol.Fast)]
    [InlineData(ProbeProtocol.Paper)]
    public void Same_seed_gives_bit_identical_weights_whatever_the_thread_count(ProbeProtocol protocol)
    {
        // 1,100 rows: several 256-row chunks, so threads really share the work.
        var (x, y) = ProbeData.Gaussian(1100, 40, 5, separation: 0.4, seed: 31);
        var options = new ProbeOptions { Protocol = protocol, Seed = 7, Trials = 2, Epochs = 5, BatchSize = 512 };
        var one = LinearProbe.Fit(x, y, 40, 5, options with { Threads = 1 });
        foreach (var threads in new[] { 2, 3 })
        {
            var other = LinearProbe.Fit(x, y, 40, 5, options with { Threads = threads });
            Assert.Equal(Bits(one.Weights), Bits(other.Weights));
            Assert.Equal(Bits(one.Bias), Bits(other.Bias));
            Assert.Equal(one.Lambda, other.Lambda);
            Assert.Equal(one.LearningRate, other.LearningRate);
        }

        var reseeded = LinearProbe.Fit(x, y, 40, 5, options with { Seed = 8, Threads = 1 });
        if (protocol == ProbeProtocol.Paper)
            Assert.NotEqual(Bits(one.Weights), Bits(reseeded.Weights));
    }

    [Fact]
    public void Paper_protocol_reaches_about_the_accuracy_of_fast()
    {
        var (train, trainY) = ProbeData.Gaussian(1200, 48, 4, separation: 0.35, seed: 41);
        var (test, testY) = ProbeData.Gaussian(2000, 48, 4, separation: 0.35, seed: 42);
        var fast = LinearProbe.Evaluate(LinearProbe.Fit(train, trainY, 48, 4, new ProbeOptions()), test, testY);
        var paperModel = LinearProbe.Fit(train, trainY, 48, 4, new ProbeOptions { Protocol = ProbeProtocol.Paper, Trials = 6 });
        var paper = LinearProbe.Evaluate(paperModel, test, testY);

        Assert.InRange(fast.Top1, 0.6, 0.99); // a task neither trivial nor hopeless
        Assert.True(Math.Abs(fast.Top1 - paper.Top1) <= 0.04, $"fast {fast.Top1}, paper {paper.Top1}");
        Assert.InRange(paperModel.LearningRate, 0.1, 100);
        Assert.InRange(paperModel.WeightDecay, 1e-12, 1e-4);
        Assert.Equal(6, paperModel.Trials.Count);
    }

    [Fact]
    public void Metrics_on_a_hand_made_case()
    {
        // Class 0: 3 of 4 right; class 1: 1 of 2 right; class 2: absent from the test rows.
        int[] truth = [0, 0, 0, 0, 1, 1];
        int[] predicted = [0, 0, 0, 2, 1, 0];
        var result = ProbeResult.FromPredictions(truth, predicted, 3);
        Assert.Equal(4.0 / 6, result.Top1, 12);
        Assert.Equal((0.75 + 0.5) / 2, result.MeanPerClassRecall, 12);
        Assert.Equal(6, result.Count);
        Assert.Equal(1.0 / 3, result.Chance, 12);
        Assert.Equal(new[] { new[] { 3, 0, 1 }, new[] { 1, 1, 0 }, new[] { 0, 0, 0 } }, result.Confusion);
    }

    [Fact]
    public void Predict_agrees_with_logits_and_evaluate()
    {
        var (x, y) = ProbeData.Gaussian(300, 20, 3, separation: 0.5, seed: 51);
        var model = LinearProbe.Fit(x, y, 20, 3, new ProbeOptions { Lambda = 1e-3 });
        var labels = new int[300];
        model.Predict(x, labels);
        var z = new float[3];
        for (var i = 0; i < 300; i++)
        {
            model.Logits(x.AsSpan(i * 20, 20), z);
            Assert.Equal(SoftmaxKernels.ArgMax(z), labels[i]);
            Assert.Equal(labels[i], model.Predict(x.AsSpan(i * 20, 20)));
        }

        Assert.Equal(labels.Zip(y).Count(p => p.First == p.Second) / 300.0, LinearProbe.Evaluate(model, x, y).Top1, 12);
        Assert.Equal(1e-3, model.Lambda);
        Assert.Empty(model.Trials);
    }

    [Fact]
    public void Bad_inputs_name_what_is_wrong()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => LinearProbe.Fit(new float[4], [0, 5], 2, 3, new ProbeOptions()));
        Assert.Contains("label 5", ex.Message);
        Assert.Throws<ArgumentException>(() => LinearProbe.Fit(new float[5], [0, 1], 2, 3, new ProbeOptions()));
    }

    private static uint[] Bits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();
}
