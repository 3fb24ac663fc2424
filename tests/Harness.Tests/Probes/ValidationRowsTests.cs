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

public sealed class GroupedValidationTests
{
    /// <summary>Each group (photo) has its own direction and one label: only memorising groups "works".</summary>
    private static (float[] X, int[] Y, int[] Groups) Memorisable(int groups, int perGroup, int dim, int classes)
    {
        var random = new Random(4);
        var x = new float[groups * perGroup * dim];
        var y = new int[groups * perGroup];
        var g = new int[groups * perGroup];
        for (var k = 0; k < groups; k++)
        {
            var direction = Enumerable.Range(0, dim).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var label = random.Next(classes);
            for (var j = 0; j < perGroup; j++)
            {
                var row = k * perGroup + j;
                for (var d = 0; d < dim; d++) x[row * dim + d] = direction[d] + 0.3f * (float)(random.NextDouble() * 2 - 1);
                y[row] = label;
                g[row] = k;
            }
        }
        return (x, y, g);
    }

    [Theory]
    [InlineData(ProbeProtocol.Fast)]
    [InlineData(ProbeProtocol.Paper)]
    public void Validation_over_whole_groups_is_not_fooled_by_memorised_groups(ProbeProtocol protocol)
    {
        var (x, y, groups) = Memorisable(groups: 30, perGroup: 20, dim: 32, classes: 3);
        var options = new ProbeOptions { Protocol = protocol, Trials = 3, Epochs = 20 };
        var stratified = LinearProbe.Fit(x, y, 32, 3, options);
        var grouped = LinearProbe.Fit(x, y, 32, 3, options with { Groups = groups });
        Assert.True(stratified.ValidationTop1 > 0.9, $"stratified validation {stratified.ValidationTop1}");
        Assert.True(grouped.ValidationTop1 < 0.7, $"grouped validation {grouped.ValidationTop1}");
    }
}
