using TraceProbe.Neighbours;

namespace TraceProbe.Tests.Neighbours;

public class KnnCostModelTests
{
    [Fact]
    public void Jpeg_needs_36_passes_where_the_reference_runs_276()
    {
        var cost = KnnCostModel.Estimate(50_000, 1_281_167, 768, 6, new KnnOptions(), gflops: 200);
        Assert.Equal(36, cost.Passes);
        Assert.Equal(276, cost.ReferencePasses);      // 6³ triples + 6 × 10 uniform
        Assert.Equal(456, cost.ReferenceMatrices);    // triples with positives ≠ negatives compute two matrices
        Assert.Equal(2.0 * 50_000 * 1_281_167 * 768, cost.FlopsPerPass);
        Assert.Equal(36 * cost.FlopsPerPass / 200e9, cost.ExpectedTime.TotalSeconds, 3);
        // Memory is bounded by the query block and a database block, not by the database: under 1 GiB here.
        Assert.InRange(cost.MemoryBytes, 100L << 20, 1L << 30);
        Assert.Contains("276", cost.ToString());
        Assert.Contains("36 similarity passes", cost.ToString());
        Assert.Contains("98.4 TFLOP each: 3,542.2 TFLOP in all", cost.ToString());
    }

    [Fact]
    public void A_small_run_states_its_cost_in_units_that_read()
    {
        var cost = KnnCostModel.Estimate(96, 90, 512, 6, new KnnOptions(), gflops: 145);
        Assert.Contains("8.8 MFLOP each: 318.5 MFLOP in all", cost.ToString());
        Assert.Contains("Expected under 0.1 s", cost.ToString());
    }

    [Fact]
    public void The_kernel_speed_is_measured_when_not_given()
    {
        var cost = KnnCostModel.Estimate(100, 1_000, 64, 3, new KnnOptions());
        Assert.True(cost.Gflops > 0.1, $"{cost.Gflops} GFLOP/s");
    }

    [Fact]
    public void Progress_lines_are_throttled_and_end_with_the_whole_run()
    {
        var lines = new List<string>();
        var log = new KnnProgressLog(lines.Add, TimeSpan.FromSeconds(10));
        log.Report(new KnnProgress(10, 100, TimeSpan.FromSeconds(20)));
        log.Report(new KnnProgress(20, 100, TimeSpan.FromSeconds(25)));   // within 10 s of the last line: dropped
        log.Report(new KnnProgress(100, 100, TimeSpan.FromSeconds(26)));  // the end is always written
        Assert.Equal(2, lines.Count);
        Assert.Contains("10.0%", lines[0]);
        Assert.Contains("3 min 00 s left", lines[0]);                       // 90 more at 10 per 20 s
        Assert.Contains("100.0%", lines[1]);
    }

    [Fact]
    public void A_resumed_runs_time_left_counts_only_its_own_pace()
    {
        // 50 done by an earlier run, 10 more in this run's 20 s: 40 left take 80 s, not the 13 s that 60 done in 20 s would say.
        var lines = new List<string>();
        new KnnProgressLog(lines.Add).Report(new KnnProgress(60, 100, TimeSpan.FromSeconds(20), MultiplyAddsResumed: 50));
        Assert.Contains("60.0%", lines[0]);
        Assert.Contains("1 min 20 s left", lines[0]);
        Assert.Null(new KnnProgress(50, 100, TimeSpan.FromSeconds(1), MultiplyAddsResumed: 50).Eta);
    }
}
