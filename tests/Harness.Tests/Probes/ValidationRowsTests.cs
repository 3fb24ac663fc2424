using TraceProbe.Probes;

namespace TraceProbe.Tests.Probes;

public sealed class ValidationRowsTests
{
    [Fact]
    public void Given_validation_rows_are_the_ones_hyper_parameters_are_chosen_on()
    {
        var (x, y) = ProbeData.Gaussian(600, 16, 3, separation: 4, seed: 3);
        // Rows 0..99 get shuffled labels: validated on them, the probe must look like chance there.
        var noisy = (int[])y.Clone();
        var random = new Random(9);
        for (var i = 0; i < 100; i++) noisy[i] = random.Next(3);
        var rows = Enumerable.Range(0, 100).ToArray();

        var given = LinearProbe.Fit(x, noisy, 16, 3, new ProbeOptions { ValidationRows = rows });
        var stratified = LinearProbe.Fit(x, noisy, 16, 3, new ProbeOptions());
        Assert.InRange(given.ValidationTop1, 0.15, 0.55);
        Assert.True(stratified.ValidationTop1 > 0.75, $"stratified validation top-1 {stratified.ValidationTop1}");
    }

    [Fact]
    public void A_validation_row_outside_the_data_is_named()
    {
        var (x, y) = ProbeData.Gaussian(60, 8, 2, separation: 4, seed: 3);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => LinearProbe.Fit(x, y, 8, 2, new ProbeOptions { ValidationRows = [5, 60] }));
        Assert.Contains("60", error.Message);
    }
}
