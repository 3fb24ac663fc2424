using System.Numerics.Tensors;

namespace TraceProbe.Probes;

/// <summary>Softmax regression (linear layer with bias, cross-entropy) on L2-normalised embeddings.</summary>
public static class LinearProbe
{
    // Independent random streams, so that e.g. changing the number of trials leaves the split unchanged.
    private const ulong SplitStream = 1, SearchStream = 2, TrainStream = 3;

    /// <param name="x">Row-major [rows, dim] embeddings.</param>
    /// <param name="y">One label in [0, classes) per row.</param>
    public static unsafe ProbeModel Fit(ReadOnlySpan<float> x, ReadOnlySpan<int> y, int dim, int classes, ProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        var rows = SoftmaxKernels.RowCount(x.Length, dim, nameof(x));
        if (y.Length != rows)
            throw new ArgumentException($"y has {y.Length} labels for {rows} rows.", nameof(y));
        if (rows == 0)
            throw new ArgumentException("There are no training rows.", nameof(x));
        var labels = y.ToArray();
        for (var i = 0; i < rows; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(y), $"Row {i} has label {labels[i]}, outside [0, {classes}).");
        }

        fixed (float* px = x)
        {
            var objective = new SoftmaxObjective(px, labels, dim, classes, options.EffectiveThreads);
            return options.Protocol switch
            {
                ProbeProtocol.Fast => FitFast(objective, labels, options),
                ProbeProtocol.Paper => FitPaper(objective, labels, options),
                _ => throw new ArgumentOutOfRangeException(nameof(options), options.Protocol, "Unknown probe protocol."),
            };
        }
    }

    /// <summary>Top-1, mean per-class recall and confusion matrix of a probe on labelled embeddings.</summary>
    public static ProbeResult Evaluate(ProbeModel model, ReadOnlySpan<float> x, ReadOnlySpan<int> y)
    {
        ArgumentNullException.ThrowIfNull(model);
        var rows = SoftmaxKernels.RowCount(x.Length, model.Dim, nameof(x));
        if (y.Length != rows)
            throw new ArgumentException($"y has {y.Length} labels for {rows} rows.", nameof(y));
        var predicted = new int[rows];
        model.Predict(x, predicted);
        return ProbeResult.FromPredictions(y, predicted, model.Classes);
    }

    /// <summary>The caller's validation rows (e.g. a given val split, or whole photos held out), else a stratified split.</summary>
    private static (int[] Train, int[] Validation) ValidationSplit(int[] labels, int classes, ProbeOptions options)
    {
        if (options.ValidationRows is not { } rows)
        {
            if (options.Groups is not { } groups)
                return StratifiedSplit.Split(labels, classes, options.ValidationFraction, new ProbeRandom(options.Seed, SplitStream));
            // Whole groups (photos) held out: no near-copy of a validation row is trained on.
            var distinct = groups.Distinct().Order().ToArray();
            new ProbeRandom(options.Seed, SplitStream).Shuffle(distinct);
            var held = distinct.Take(Math.Clamp((int)Math.Round(distinct.Length * options.ValidationFraction), 1, distinct.Length - 1)).ToHashSet();
            rows = Enumerable.Range(0, labels.Length).Where(r => held.Contains(groups[r])).ToArray();
        }
        var isValidation = new bool[labels.Length];
        foreach (var r in rows)
        {
            if ((uint)r >= (uint)labels.Length)
                throw new ArgumentOutOfRangeException(nameof(options), $"Validation row {r} is outside [0, {labels.Length}).");
            isValidation[r] = true;
        }
        return (Enumerable.Range(0, labels.Length).Where(i => !isValidation[i]).ToArray(),
                Enumerable.Range(0, labels.Length).Where(i => isValidation[i]).ToArray());
    }

    private static ProbeModel FitFast(SoftmaxObjective objective, int[] labels, ProbeOptions options)
    {
        var all = Enumerable.Range(0, labels.Length).ToArray();
        var theta = new double[objective.ParameterCount];
        var centring = new Centring(objective);
        var trials = new List<ProbeTrial>();
        double lambda, validationTop1 = double.NaN;

        // Tolerance relative to the gradient at zero, so that it means the same whatever the data's scale.
        var gradientAtZero = new double[theta.Length];
        MeanObjective(objective, centring, all, 0)(theta, gradientAtZero);
        var scale = Math.Max(Math.Abs(TensorPrimitives.MaxMagnitude<double>(gradientAtZero)), 1e-30);
        double tolerance = options.Tolerance * scale, pathTolerance = options.PathTolerance * scale;

        if (options.Lambda is double fixedLambda)
        {
            lambda = fixedLambda;
        }
        else
        {
            var splits = options.Groups is { } groups
                ? GroupFolds(labels, groups, options)
                : [ValidationSplit(labels, objective.Classes, options)];
            RequireValidation(splits[0].Validation, "Set ProbeOptions.Lambda to skip the search.");
            (lambda, validationTop1) = Path(objective, centring, splits, theta, pathTolerance, trials, options);
        }

        var refit = new Lbfgs(theta.Length, options.Memory) { Preconditioner = centring.Preconditioner(lambda) };
        refit.Minimize(MeanObjective(objective, centring, all, lambda), theta, options.MaxIterations, tolerance);
        var parameters = Parameters(centring, theta);
        return new ProbeModel(objective.Dim, objective.Classes, Weights(objective, parameters), Bias(objective, parameters))
        {
            Protocol = ProbeProtocol.Fast,
            Lambda = lambda,
            ValidationTop1 = validationTop1,
            Trials = trials,
        };
    }

    /// <summary>
    /// Folds of a cross-validation over whole groups (e.g. photos): rows of one group are never on both sides, so
    /// validation accuracy is not inflated by near-copies of the training rows.
    /// </summary>
    private static (int[] Train, int[] Validation)[] GroupFolds(int[] labels, IReadOnlyList<int> groups, ProbeOptions options)
    {
        if (groups.Count != labels.Length)
            throw new ArgumentException($"Groups has {groups.Count} entries for {labels.Length} rows.", nameof(options));
        var distinct = groups.Distinct().Order().ToArray();
        var folds = Math.Min(Math.Max(2, options.Folds), distinct.Length);
        if (folds < 2)
            throw new ArgumentException("Grouped validation needs at least 2 groups.", nameof(options));
        // Groups are dealt to folds in a seeded order, so the folds do not depend on the groups' numbering.
        var random = new ProbeRandom(options.Seed, SplitStream);
        random.Shuffle(distinct);
        var foldOf = new Dictionary<int, int>();
        for (var i = 0; i < distinct.Length; i++) foldOf[distinct[i]] = i % folds;
        return Enumerable.Range(0, folds).Select(f => (
            Train: Enumerable.Range(0, labels.Length).Where(r => foldOf[groups[r]] != f).ToArray(),
            Validation: Enumerable.Range(0, labels.Length).Where(r => foldOf[groups[r]] == f).ToArray())).ToArray();
    }

    /// <summary>
    /// The regularisation path from strong to weak, each fold warm-started from its previous point and scored by
    /// top-1 over all folds' validation rows; stops after <see cref="ProbeOptions.PathPatience"/> points without
    /// a better score. <paramref name="theta"/> ends as the folds' mean at the chosen λ, the refit's start.
    /// </summary>
    private static (double Lambda, double ValidationTop1) Path(SoftmaxObjective objective, Centring centring,
        (int[] Train, int[] Validation)[] splits, double[] theta, double tolerance, List<ProbeTrial> trials, ProbeOptions options)
    {
        var folds = splits.Length;
        var validationRows = splits.Sum(s => s.Validation.Length);
        var thetas = splits.Select(_ => new double[theta.Length]).ToArray();
        var solvers = splits.Select(_ => new Lbfgs(theta.Length, options.Memory)).ToArray();
        double bestLambda = double.NaN, bestTop1 = double.NaN;
        var sinceBest = 0;
        foreach (var l in LambdaPath(options))
        {
            double correct = 0;
            var iterations = 0;
            var preconditioner = centring.Preconditioner(l);
            for (var f = 0; f < folds; f++)
            {
                solvers[f].Preconditioner = preconditioner;
                iterations += solvers[f].Minimize(MeanObjective(objective, centring, splits[f].Train, l), thetas[f], options.MaxIterations, tolerance);
                correct += objective.Top1(Parameters(centring, thetas[f]), splits[f].Validation) * splits[f].Validation.Length;
            }

            var top1 = correct / validationRows;
            trials.Add(new ProbeTrial(l, double.NaN, double.NaN, top1, iterations));
            if (!(top1 <= bestTop1))
            {
                (bestLambda, bestTop1, sinceBest) = (l, top1, 0);
                Array.Clear(theta);
                foreach (var t in thetas)
                    for (var i = 0; i < theta.Length; i++) theta[i] += t[i] / folds;
            }
            else if (++sinceBest >= options.PathPatience)
            {
                break;
            }
        }

        return (bestLambda, bestTop1);
    }

    private static ProbeModel FitPaper(SoftmaxObjective objective, int[] labels, ProbeOptions options)
    {
        var all = Enumerable.Range(0, labels.Length).ToArray();
        var search = options.LearningRate is double fixedRate && options.WeightDecay is double fixedDecay
            ? new PaperSearch(fixedRate, fixedDecay, double.NaN, [])
            : SearchPaper(objective, labels, options);
        var final = TrainSgd(objective, all, search.LearningRate, search.WeightDecay, options)
            ?? throw new InvalidOperationException($"SGD diverged in its first epoch at learning rate {search.LearningRate:g4}, weight decay {search.WeightDecay:g4}; set ProbeOptions.LearningRate lower.");
        return new ProbeModel(objective.Dim, objective.Classes, Weights(objective, final), Bias(objective, final))
        {
            Protocol = ProbeProtocol.Paper,
            LearningRate = search.LearningRate,
            WeightDecay = search.WeightDecay,
            ValidationTop1 = search.ValidationTop1,
            Trials = search.Trials,
        };
    }

    /// <summary>
    /// The paper's hyper-parameter search alone (Optuna's TPE over learning rate and weight decay, maximising the
    /// validation top-1 after the last epoch), for protocols that search once and retrain under several seeds.
    /// Validation: <see cref="ProbeOptions.ValidationRows"/>, whole <see cref="ProbeOptions.Groups"/>, or the
    /// reference's stratified split (⌊20%⌋ of each class, at least one).
    /// </summary>
    public static unsafe PaperSearch Search(ReadOnlySpan<float> x, ReadOnlySpan<int> y, int dim, int classes, ProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        var rows = SoftmaxKernels.RowCount(x.Length, dim, nameof(x));
        if (y.Length != rows)
            throw new ArgumentException($"y has {y.Length} labels for {rows} rows.", nameof(y));
        var labels = y.ToArray();
        foreach (var l in labels)
            if ((uint)l >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(y), $"Label {l} is outside [0, {classes}).");
        fixed (float* px = x)
            return SearchPaper(new SoftmaxObjective(px, labels, dim, classes, options.EffectiveThreads), labels, options);
    }

    private static PaperSearch SearchPaper(SoftmaxObjective objective, int[] labels, ProbeOptions options)
    {
        var (train, validation) = options.ValidationRows is null && options.Groups is null
            ? StratifiedSplit.Split(labels, objective.Classes, options.ValidationFraction, new ProbeRandom(options.Seed, SplitStream), truncate: true)
            : ValidationSplit(labels, objective.Classes, options);
        RequireValidation(validation, "Set ProbeOptions.LearningRate and WeightDecay to skip the search.");

        // A fixed value stays fixed; the other is searched alone.
        var space = new List<SearchParameter>();
        if (options.LearningRate is null) space.Add(new SearchParameter(LearningRateName, options.LearningRateMin, options.LearningRateMax));
        if (options.WeightDecay is null) space.Add(new SearchParameter(WeightDecayName, options.WeightDecayMin, options.WeightDecayMax));
        var sampler = new TpeSampler(space, options.Seed, new TpeOptions { StartupTrials = options.StartupTrials });
        var trials = new List<ProbeTrial>();
        double bestRate = double.NaN, bestDecay = double.NaN, bestTop1 = double.NaN;
        for (var t = 0; t < Math.Max(1, options.Trials); t++)
        {
            var point = sampler.Ask();
            var rate = options.LearningRate ?? point[sampler.Space.ToList().FindIndex(p => p.Name == LearningRateName)];
            var decay = options.WeightDecay ?? point[sampler.Space.ToList().FindIndex(p => p.Name == WeightDecayName)];
            var parameters = TrainSgd(objective, train, rate, decay, options);
            // A run that diverges in its first epoch has no model (the reference's trial fails); a later divergence
            // keeps the last finished epoch's model.
            double? top1 = parameters is null ? null : objective.Top1(parameters, validation);
            sampler.Tell(point, top1);
            trials.Add(new ProbeTrial(double.NaN, rate, decay, top1 ?? double.NaN, options.Epochs));
            // Optuna's best trial: the first with the highest value.
            if (top1 is double v && !(v <= bestTop1))
                (bestTop1, bestRate, bestDecay) = (v, rate, decay);
        }

        if (double.IsNaN(bestTop1))
            throw new InvalidOperationException($"Every one of the {trials.Count} trials diverged in its first epoch; lower ProbeOptions.LearningRateMax.");
        return new PaperSearch(bestRate, bestDecay, bestTop1, trials);
    }

    private const string LearningRateName = "lr", WeightDecayName = "wd";

    /// <summary>The reference's learning rate for an epoch (0-based), as its loop sets it.</summary>
    /// <remarks>
    /// The reference creates SGD with the base rate and calls its cosine rule <em>after</em> each epoch with that
    /// epoch's index: epoch 0 and epoch 1 both run at the base rate, and epoch e ≥ 1 runs at
    /// lr·½(1 + cos(π·(e − 1)/epochs)), so the last epoch never reaches the schedule's end.
    /// </remarks>
    public static double EpochLearningRate(double learningRate, int epoch, int epochs) =>
        epoch == 0 ? learningRate : learningRate * 0.5 * (1 + Math.Cos(Math.PI * (epoch - 1) / epochs));

    /// <summary>
    /// The paper's training loop, as PyTorch runs it: nn.Linear initialisation U(±1/√dim), mini-batches of a
    /// fresh shuffle each epoch (last batch kept; one batch when there are fewer rows than a batch), mean loss,
    /// weight decay added to the gradient of every parameter, momentum buffer b = μ·b + g, step p −= lr_e·b with
    /// lr_e from <see cref="EpochLearningRate"/>. A batch whose loss is not finite stops training, as in the
    /// reference, and the model of the last finished epoch is returned; null when the first epoch did not finish.
    /// </summary>
    private static float[]? TrainSgd(SoftmaxObjective objective, int[] rows, double learningRate, double weightDecay, ProbeOptions options)
    {
        // The same stream for every trial: trials differ only by their hyper-parameters.
        var random = new ProbeRandom(options.Seed, TrainStream);
        var p = objective.ParameterCount;
        var parameters = new float[p];
        var bound = 1f / MathF.Sqrt(objective.Dim);
        for (var i = 0; i < p; i++)
            parameters[i] = (float)((2 * random.NextDouble() - 1) * bound);
        var gradient = new float[p];
        var momentum = new float[p];
        float[]? finished = null;
        var order = (int[])rows.Clone();
        var batch = Math.Max(1, options.BatchSize);
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            var rate = (float)EpochLearningRate(learningRate, epoch, options.Epochs);
            random.Shuffle(order);
            for (var start = 0; start < order.Length; start += batch)
            {
                var count = Math.Min(batch, order.Length - start);
                var loss = objective.LossAndGradientSum(parameters, order, start, count, gradient);
                if (!double.IsFinite(loss))
                    return finished;
                TensorPrimitives.Multiply(gradient, 1f / count, gradient);
                TensorPrimitives.MultiplyAdd(parameters, (float)weightDecay, gradient, gradient);
                TensorPrimitives.MultiplyAdd(momentum, (float)options.Momentum, gradient, momentum);
                TensorPrimitives.MultiplyAdd(momentum, -rate, parameters, parameters);
            }

            // Parameters that overflowed in the epoch's last step: the reference would stop at the next batch's
            // loss (and predict with the overflowed model); we keep the last finite epoch's model.
            if (!float.IsFinite(TensorPrimitives.Sum(parameters)))
                return finished;
            finished ??= new float[p];
            parameters.CopyTo(finished, 0);
        }

        return finished;
    }

    /// <summary>
    /// Mean cross-entropy over rows + λ/2·‖W‖² (bias not penalised), in double for L-BFGS, as a function of the
    /// centred coordinates θ = (W, β) of <paramref name="centring"/>.
    /// </summary>
    private static Lbfgs.Function MeanObjective(SoftmaxObjective objective, Centring centring, int[] rows, double lambda)
    {
        var weights = objective.Classes * objective.Dim;
        var parameters = new float[objective.ParameterCount];
        var gradient = new float[objective.ParameterCount];
        return (theta, grad) =>
        {
            centring.ToParameters(theta, parameters);
            var loss = objective.LossAndGradientSum(parameters, rows, 0, rows.Length, gradient);
            double scale = 1.0 / rows.Length, penalty = 0;
            for (var i = 0; i < theta.Length; i++)
                grad[i] = gradient[i] * scale;
            centring.ToSolverGradient(grad);
            for (var i = 0; i < weights; i++)
            {
                grad[i] += lambda * theta[i];
                penalty += theta[i] * theta[i];
            }

            return loss * scale + 0.5 * lambda * penalty;
        };
    }

    private static double[] LambdaPath(ProbeOptions options)
    {
        var steps = Math.Max(1, options.LambdaSteps);
        var path = new double[steps];
        double hi = Math.Log(options.LambdaMax), lo = Math.Log(options.LambdaMin);
        for (var k = 0; k < steps; k++)
            path[k] = steps == 1 ? options.LambdaMax : Math.Exp(hi + (lo - hi) * k / (steps - 1));
        return path;
    }

    private static void RequireValidation(int[] validation, string hint)
    {
        if (validation.Length == 0)
            throw new ArgumentException($"Too few training rows per class to hold out a validation split. {hint}");
    }

    private static float[] Parameters(Centring centring, double[] theta)
    {
        var result = new float[theta.Length];
        centring.ToParameters(theta, result);
        return result;
    }

    private static float[] Weights(SoftmaxObjective objective, float[] parameters) => parameters[..(objective.Classes * objective.Dim)];

    private static float[] Bias(SoftmaxObjective objective, float[] parameters) => parameters[(objective.Classes * objective.Dim)..];
}
