namespace TraceProbe.Probes;

/// <summary>
/// Test metrics of a probe. <see cref="Confusion"/>[true][predicted] counts rows. <see cref="Chance"/> is
/// 1/classes: the expected top-1 of a uniform guess on a balanced task and the chance level of mean
/// per-class recall on any task.
/// </summary>
public sealed record ProbeResult(double Top1, double MeanPerClassRecall, int[][] Confusion, int Count, double Chance)
{
    /// <summary>Metrics from true and predicted labels in [0, classes).</summary>
    public static ProbeResult FromPredictions(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (truth.Length != predicted.Length)
            throw new ArgumentException($"{truth.Length} true labels but {predicted.Length} predictions.", nameof(predicted));
        var confusion = new int[classes][];
        for (var c = 0; c < classes; c++)
            confusion[c] = new int[classes];
        var correct = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            int t = truth[i], p = predicted[i];
            if ((uint)t >= (uint)classes || (uint)p >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(truth), $"Row {i}: label {t} or prediction {p} is outside [0, {classes}).");
            confusion[t][p]++;
            if (t == p)
                correct++;
        }

        // Classes absent from the test rows have no recall; they are left out of the mean.
        double recallSum = 0;
        var present = 0;
        for (var c = 0; c < classes; c++)
        {
            var total = 0;
            foreach (var n in confusion[c])
                total += n;
            if (total == 0)
                continue;
            recallSum += (double)confusion[c][c] / total;
            present++;
        }

        var top1 = truth.Length == 0 ? double.NaN : (double)correct / truth.Length;
        var recall = present == 0 ? double.NaN : recallSum / present;
        return new ProbeResult(top1, recall, confusion, truth.Length, 1.0 / classes);
    }
}
