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
    public void RatioAtItsFloorPassesAndJustBelowFails()
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
    public void FloorFollowsTheBaselinesMargin()
    {
        Assert.Equal(6.0, Baseline(margin: 0.4).Floor(10.0), 12);
        Assert.True(GateComparison.Compare(Measured(knn: 6.1), Baseline(margin: 0.4), BaselineFile).Passed);
        Assert.False(GateComparison.Compare(Measured(knn: 6.1), Baseline(margin: 0.25), BaselineFile).Passed);
    }

    [Fact]
    public void RatioAboveItsBaselinePasses() =>
        Assert.True(GateComparison.Compare(Measured(knn: 30, probe: 9), Baseline(), BaselineFile).Passed);

    [Theory]
    [InlineData(0.734, true)]
    [InlineData(0.7344, true)]    // reported as 0.734
    [InlineData(0.7336, true)]    // reported as 0.734
    [InlineData(0.7346, false)]   // reported as 0.735
    [InlineData(0.733, false)]
    [InlineData(0.736, false)]
    public void AccuracyMustMatchToThreeDecimals(double measured, bool passes)
    {
        var comparison = GateComparison.Compare(Measured(knn: 10, accuracy: measured), Baseline(), BaselineFile);
        Assert.Equal(passes, comparison.Passed);
        if (!passes) Assert.Contains("accuracy \"Fast probe top-1\"", Assert.Single(comparison.Failures));
    }

    [Fact]
    public void MeasuredFigureWithoutBaselineEntryFailsNamingTheFile()
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
    public void BaselineEntryNotMeasuredFails()
    {
        var measured = Measured(knn: 10);
        var comparison = GateComparison.Compare(
            measured with { Ratios = measured.Ratios.Where(kv => kv.Key != "ML.NET time ÷ Fast time").ToDictionary() }, Baseline(), BaselineFile);
        var failure = Assert.Single(comparison.Failures);
        Assert.Contains("ML.NET time ÷ Fast time", failure);
        Assert.Contains("not measured", failure);
    }

    [Fact]
    public void MissingBaselineFileIsAnErrorNamingIt()
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
    public void MalformedBaselineIsAnErrorNamingIt(string json)
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
    public void BaselineRoundTripsThroughItsFile()
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
    public void PairedRatioIsTheMedianOfTheRoundsRatios()
    {
        // Peer ÷ ours per round: 2, 10, 3, 2.5, 4 → median 3; one disturbed round does not move it.
        var timing = new PairedTiming([1, 1, 1, 2, 0.5], [2, 10, 3, 5, 2]);
        Assert.Equal(3.0, timing.Ratio, 12);
        Assert.Equal(0.5, timing.OursFastest);
        Assert.Equal(2.0, timing.PeerFastest);
        Assert.Equal(2.5, PairedTiming.Median([4, 1, 2, 3]), 12);
    }

    [Fact]
    public void PairedRoundsAlternateWhichSideGoesFirst()
    {
        var calls = new List<char>();
        var timing = PairedTiming.Run(() => { calls.Add('o'); return 0; }, () => { calls.Add('p'); return 0; },
            warmups: 1, minRounds: 4, minSeconds: 0, maxRounds: 10);
        Assert.Equal(4, timing.Ours.Count);
        Assert.Equal(4, timing.Peer.Count);
        Assert.Equal("op" + "op" + "po" + "op" + "po", new string(calls.ToArray()));
    }
}
