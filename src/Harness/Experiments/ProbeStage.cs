using TraceProbe.Probes;
using TraceProbe.Results;

namespace TraceProbe.Experiments;

/// <summary>A probe trained and tested under several seeds: mean and std of the metrics, first seed's confusion.</summary>
public sealed record ProbeOutcome(
    double Top1, double Top1Std, double Recall, double RecallStd, int[][] Confusion, ProbeModel FirstModel, int Seeds);

/// <summary>Rows and labels of one side of a probe (train or test), gathered from an embeddings matrix.</summary>
public sealed record ProbeData(float[] X, int[] Y)
{
    public static ProbeData Gather(float[] embeddings, int dim, IReadOnlyList<int> rows, Func<int, int> label)
    {
        var x = new float[rows.Count * dim];
        var y = new int[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            embeddings.AsSpan(rows[i] * dim, dim).CopyTo(x.AsSpan(i * dim, dim));
            y[i] = label(rows[i]);
        }
        return new ProbeData(x, y);
    }
}

/// <summary>The probe step shared by every experiment: fit on train, evaluate on test, over seeds.</summary>
public static class ProbeStage
{
    public static ProbeOutcome Run(ProbeData train, ProbeData test, int dim, int classes, ProbeOptions options, int seeds)
    {
        seeds = Math.Max(1, seeds);
        var top1 = new double[seeds];
        var recall = new double[seeds];
        int[][]? confusion = null;
        ProbeModel? first = null;
        for (var s = 0; s < seeds; s++)
        {
            var model = LinearProbe.Fit(train.X, train.Y, dim, classes, options with { Seed = options.Seed + (ulong)s });
            var result = LinearProbe.Evaluate(model, test.X, test.Y);
            top1[s] = result.Top1;
            recall[s] = result.MeanPerClassRecall;
            confusion ??= result.Confusion;
            first ??= model;
        }
        return new ProbeOutcome(top1.Average(), Std(top1), recall.Average(), Std(recall), confusion!, first!, seeds);
    }

    /// <summary>The top-1 and mean-per-class-recall records of a probe outcome.</summary>
    public static IReadOnlyList<SummaryRecord> Records(ProbeOutcome outcome, RecordScope scope, IReadOnlyDictionary<string, string> details)
    {
        var all = new SortedDictionary<string, string>(details.ToDictionary())
        {
            ["seeds"] = outcome.Seeds.ToString(),
            ["lambda"] = outcome.FirstModel.Lambda.ToString("g3"),
            ["learning_rate"] = outcome.FirstModel.LearningRate.ToString("g3"),
            ["weight_decay"] = outcome.FirstModel.WeightDecay.ToString("g3"),
            ["validation_top1"] = outcome.FirstModel.ValidationTop1.ToString("0.###"),
        };
        foreach (var key in all.Where(kv => kv.Value == "NaN").Select(kv => kv.Key).ToList()) all.Remove(key);
        return
        [
            (scope with { Details = all }).Record(SetupNames.Probe, MetricNames.Top1, outcome.Top1, outcome.Seeds > 1 ? outcome.Top1Std : null) with { Confusion = outcome.Confusion },
            (scope with { Details = all }).Record(SetupNames.Probe, MetricNames.MeanPerClassRecall, outcome.Recall, outcome.Seeds > 1 ? outcome.RecallStd : null),
        ];
    }

    /// <summary>Sample standard deviation (n − 1), as the paper's mean ± std over seeds.</summary>
    private static double Std(double[] values)
    {
        if (values.Length < 2) return 0;
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }
}
