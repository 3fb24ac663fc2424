using TraceProbe.Benchmarks.Gate;

namespace TraceProbe.Tests.Benchmarks;

/// <summary>The CI benchmark gate's decision, on made-up figures (no timing): floors, accuracies, missing entries, the baseline file.</summary>
public class BenchmarkGateTests
{
    private const string BaselineFile = "benchmarks/gate-baseline.json";

    private static GateBaseline Baseline(double margin = 0.25) => new()
    {
        Margin = margin,
        Ratios = new() { ["per-pair Dot time ÷ blocked kNN kernel time"] = 10.0, ["ML.NET time ÷ Fast time"] = 4.0 },
        Accuracies = new() { ["Fast probe top-1"] = 0.734 },
    };

    private static GateMeasurements Measured(double knn, double probe = 4.0, double accuracy = 0.734) => new(
        new Dictionary<string, double> { ["per-pair Dot time ÷ blocked kNN kernel time"] = knn, ["ML.NET time ÷ Fast time"] = probe },
        new Dictionary<string, double> { ["Fast probe top-1"] = accuracy },
        new Dictionary<string, double>());

    [Fact]
    public void Ratio_at_its_floor_passes_and_just_below_fails()
    {
        // floor = 10 × (1 − 0.25) = 7.5
        Assert.True(GateComparison.Compare(Measured(knn: 7.5), Baseline(), BaselineFile).Passed);

        var below = GateComparison.Compare(Measured(knn: 7.49), Baseline(), BaselineFile);
        var failure = Assert.Single(below.Failures);
        Assert.Contains("per-pair Dot time ÷ blocked kNN kernel time", failure);
        Assert.Contains("below its floor 7.5", failure);
        Assert.Contains("**below floor**", below.Report);
    }

    [Fact]
    public void The_report_has_one_row_per_figure_with_its_floor_and_verdict()
    {
        var report = GateComparison.Compare(Measured(knn: 9.0, accuracy: 0.735), Baseline(), BaselineFile).Report;
        Assert.Contains("| per-pair Dot time ÷ blocked kNN kernel time | 9 | 10 | 7.5 | ok |", report);
        Assert.Contains("| ML.NET time ÷ Fast time | 4 | 4 | 3 | ok |", report);
        Assert.Contains("| Fast probe top-1 | 0.735 | 0.734 | **changed** |", report);
    }

    [Fact]
    public void Floor_follows_the_baselines_margin()
    {
        Assert.Equal(6.0, Baseline(margin: 0.4).Floor(10.0), 12);
        Assert.True(GateComparison.Compare(Measured(knn: 6.1), Baseline(margin: 0.4), BaselineFile).Passed);
        Assert.False(GateComparison.Compare(Measured(knn: 6.1), Baseline(margin: 0.25), BaselineFile).Passed);
    }

    [Fact]
    public void Ratio_above_its_baseline_passes() =>
        Assert.True(GateComparison.Compare(Measured(knn: 30, probe: 9), Baseline(), BaselineFile).Passed);

    [Theory]
    [InlineData(0.734, true)]
    [InlineData(0.7344, true)]    // reported as 0.734
    [InlineData(0.7336, true)]    // reported as 0.734
    [InlineData(0.7346, false)]   // reported as 0.735
    [InlineData(0.733, false)]
    [InlineData(0.736, false)]
    public void Accuracy_must_match_to_three_decimals(double measured, bool passes)
    {
        var comparison = GateComparison.Compare(Measured(knn: 10, accuracy: measured), Baseline(), BaselineFile);
        Assert.Equal(passes, comparison.Passed);
        if (!passes) Assert.Contains("accuracy \"Fast probe top-1\"", Assert.Single(comparison.Failures));
    }

    [Fact]
    public void Measured_figure_without_baseline_entry_fails_naming_the_file()
    {
        var measured = Measured(knn: 10);
        var ratios = new Dictionary<string, double>(measured.Ratios) { ["a new ratio"] = 3.0 };
        var comparison = GateComparison.Compare(measured with { Ratios = ratios }, Baseline(), BaselineFile);
        var failure = Assert.Single(comparison.Failures);
        Assert.Contains("a new ratio", failure);
        Assert.Contains(BaselineFile, failure);
        Assert.Contains("--write-baseline", failure);
    }

    [Fact]
    public void Baseline_entry_not_measured_fails()
    {
        var measured = Measured(knn: 10);
        var comparison = GateComparison.Compare(
            measured with { Ratios = measured.Ratios.Where(kv => kv.Key != "ML.NET time ÷ Fast time").ToDictionary() }, Baseline(), BaselineFile);
        var failure = Assert.Single(comparison.Failures);
        Assert.Contains("ML.NET time ÷ Fast time", failure);
        Assert.Contains("not measured", failure);
    }

    [Fact]
    public void Missing_baseline_file_is_an_error_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-gate-baseline-{Guid.NewGuid():N}.json");
        var error = Assert.Throws<FileNotFoundException>(() => GateBaseline.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("--write-baseline", error.Message);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"margin\": 0.3, \"ratios\": {}}")]                       // accuracies missing
    [InlineData("{\"margin\": 1.5, \"ratios\": {}, \"accuracies\": {}}")]   // margin out of range
    public void Malformed_baseline_is_an_error_naming_it(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"gate-baseline-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => GateBaseline.Read(path));
            Assert.Contains(path, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Baseline_round_trips_through_its_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gate-baseline-{Guid.NewGuid():N}.json");
        try
        {
            (Baseline(margin: 0.4) with { Note = "why the margin", Measured = "2026-01-01" }).Write(path);
            var read = GateBaseline.Read(path);
            Assert.Equal(0.4, read.Margin);
            Assert.Equal("why the margin", read.Note);
            Assert.Equal(10.0, read.Ratios["per-pair Dot time ÷ blocked kNN kernel time"]);
            Assert.Equal(0.734, read.Accuracies["Fast probe top-1"]);
            Assert.Contains("÷", File.ReadAllText(path)); // names stay readable in the committed file
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Paired_ratio_is_the_median_of_the_rounds_ratios()
    {
        // Peer ÷ ours per round: 2, 10, 3, 2.5, 4 → median 3; one disturbed round does not move it.
        var timing = new PairedTiming([1, 1, 1, 2, 0.5], [2, 10, 3, 5, 2]);
        Assert.Equal(3.0, timing.Ratio, 12);
        Assert.Equal(0.5, timing.OursFastest);
        Assert.Equal(2.0, timing.PeerFastest);
        Assert.Equal(2.5, PairedTiming.Median([4, 1, 2, 3]), 12);
    }

    [Fact]
    public void Paired_rounds_alternate_which_side_goes_first()
    {
        var calls = new List<char>();
        var timing = PairedTiming.Run(() => { calls.Add('o'); return 0; }, () => { calls.Add('p'); return 0; },
            warmups: 1, minRounds: 4, minSeconds: 0, maxRounds: 10);
        Assert.Equal(4, timing.Ours.Count);
        Assert.Equal(4, timing.Peer.Count);
        Assert.Equal("op" + "op" + "po" + "op" + "po", new string(calls.ToArray()));
    }

    [Fact]
    public void Warm_up_rounds_run_until_their_time_is_spent()
    {
        var calls = 0;
        var timing = PairedTiming.Run(() => { calls++; Thread.Sleep(20); return 0; }, () => 0,
            warmups: 1, minRounds: 2, minSeconds: 0, maxRounds: 2, warmupSeconds: 0.2);
        Assert.Equal(2, timing.Ours.Count);
        Assert.InRange(calls - 2, 2, 11); // 0.2 s of 20 ms rounds (one without the time), however the sleeps overrun
    }
}
