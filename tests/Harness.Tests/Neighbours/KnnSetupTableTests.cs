using TraceProbe.Common;
using TraceProbe.Experiments;
using TraceProbe.Neighbours;
using TraceProbe.Reports;
using TraceProbe.Results;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Neighbours;

/// <summary>
/// The set-ups are one table (<see cref="KnnSetup.All"/>): a set-up added to a table is voted, averaged and recorded
/// from its row alone, and everything downstream follows the table's names and order.
/// </summary>
public sealed class KnnSetupTableTests
{
    private const int Items = 90, P = 3, Dim = 12;

    /// <summary>A set-up the passes already cover (positives under p, negatives under q): it must equal pos-same.</summary>
    private static readonly KnnSetup PosSameTwin = new("pos-same-twin", KnnDatabaseProcessing.Test, KnnDatabaseProcessing.Other, "the query's class alike, again");

    private static (float[] X, int[] Labels, bool[] IsQuery) Data()
    {
        var rng = new SeededRandom(31);
        var x = CosineKnnTests.UnitRows(rng, Items * P, Dim);
        var labels = Enumerable.Range(0, Items).Select(_ => rng.Next(4)).ToArray();
        return (x, labels, Enumerable.Range(0, Items).Select(i => i % 3 == 0).ToArray());
    }

    private static KnnInfluenceResult Evaluate(KnnOptions options)
    {
        var (x, labels, isQuery) = Data();
        return KnnInfluence.Evaluate(x, Items, P, Dim, labels, isQuery, options);
    }

    private static void AssertSameSetup(KnnInfluenceResult want, KnnSetup wanted, KnnInfluenceResult got, KnnSetup setup)
    {
        Assert.Equal(want[wanted].Mean, got[setup].Mean);
        Assert.Equal(want[wanted].Std, got[setup].Std);
        Assert.Equal(want.BreakdownOf(wanted), got.BreakdownOf(setup));
        Assert.Equal(want.ByQueryOf(wanted), got.ByQueryOf(setup));
    }

    [Fact]
    public void The_paper_table_names_each_set_up_once_and_the_results_names_follow_it()
    {
        KnnSetup.Validate(KnnSetup.All);
        var names = KnnSetup.All.Select(s => s.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(names, SetupNames.Knn);
        Assert.DoesNotContain(SetupNames.Distraction, names);
        Assert.Equal(KnnSetup.All, Evaluate(new KnnOptions { K = 3, UniformSeeds = 2 }).Setups.Select(s => s.Setup));
    }

    [Fact]
    public void A_set_up_added_to_a_table_is_voted_like_its_twin_and_the_others_keep_their_values_in_any_order()
    {
        var options = new KnnOptions { K = 4, UniformSeeds = 3, Seed = 7, QueryRowsInMemory = 11 };
        var paper = Evaluate(options);
        KnnSetup[] table = [KnnSetup.Uniform, PosSameTwin, KnnSetup.AllDiff, KnnSetup.NegSame, KnnSetup.PosSame, KnnSetup.AllSame];
        var added = Evaluate(options with { Setups = table });

        Assert.Equal(table, added.Setups.Select(s => s.Setup));
        Assert.Equal(table.Length, added.ByQuery.Count);
        foreach (var setup in KnnSetup.All) AssertSameSetup(paper, setup, added, setup);
        AssertSameSetup(paper, KnnSetup.PosSame, added, PosSameTwin);
        Assert.Equal(paper.DistractionScore, added.DistractionScore);
    }

    [Fact]
    public void The_stage_records_every_set_up_of_its_table_by_name_in_order_then_the_distraction_score()
    {
        var (x, labels, isQuery) = Data();
        var rows = Enumerable.Range(0, Items * P).ToArray();
        var classes = labels.Select(l => $"class{l}").ToArray();
        var scope = new RecordScope { Encoder = "e", Family = "Control", Experiment = ExperimentNames.Processing, Task = "t" };
        var options = new KnnOptions { K = 3, UniformSeeds = 2, Seed = 1 };
        string[] Recorded(KnnOptions o) => KnnInfluenceStage.Evaluate(x, rows, Items, P, Dim, classes, isQuery, Enumerable.Range(0, Items).ToArray(), scope, o)
            .Select(r => r.Setup).ToArray();

        string[] paper = [.. SetupNames.Knn, SetupNames.Distraction], added = [KnnSetup.AllDiff.Name, PosSameTwin.Name];
        Assert.Equal(paper, Recorded(options));
        Assert.Equal(added, Recorded(options with { Setups = [KnnSetup.AllDiff, PosSameTwin] }));
    }

    [Fact]
    public void A_state_file_written_for_another_table_is_not_resumed()
    {
        // Same length of counters, another layout: resuming the paper table's finished state would misread every count.
        var (x, labels, isQuery) = Data();
        var state = Path.Combine(TestData.TempFolder("knn-setup-table-state"), "knn.state");
        File.Delete(state);
        var options = new KnnOptions { K = 3, UniformSeeds = 2, Seed = 4 };
        var input = Input(x, labels, isQuery);
        KnnInfluence.Evaluate(input, options, null, state);
        var reversed = options with { Setups = KnnSetup.All.Reverse().ToArray() };

        var resumed = KnnInfluence.Evaluate(input, reversed, null, state);
        var fresh = KnnInfluence.Evaluate(input, reversed);
        Assert.Equal(fresh.Setups, resumed.Setups);
        Assert.Equal(fresh.ByQuery, resumed.ByQuery);
    }

    [Fact]
    public void A_table_the_passes_do_not_cover_or_that_names_a_set_up_twice_is_refused()
    {
        var half = new KnnSetup("half-random", KnnDatabaseProcessing.Test, KnnDatabaseProcessing.Random, "the other classes at random");
        Assert.Contains("half-random", Assert.Throws<ArgumentException>(() => KnnSetup.Validate([KnnSetup.AllSame, half])).Message);
        Assert.Contains("pos-same", Assert.Throws<ArgumentException>(() => KnnSetup.Validate([KnnSetup.PosSame, KnnSetup.PosSame with { Gloss = "x" }])).Message);
        Assert.Throws<ArgumentException>(() => Evaluate(new KnnOptions { Setups = [] }));
    }

    [Fact]
    public void The_report_describes_every_set_up_of_the_table_in_its_words()
    {
        var records = KnnSetup.All.Select(s => new SummaryRecord
        {
            Encoder = "e", Family = "Control", Experiment = ExperimentNames.Knn, Task = "t", Setup = s.Name, Metric = MetricNames.Accuracy, Value = 0.5,
        }).ToList();
        var md = MarkdownReport.Render(Summary.Create(0, new Dictionary<string, string>(), records, []));
        foreach (var s in KnnSetup.All) Assert.Contains($"{s.Gloss} ({s.Name})", md);
    }

    private static KnnInfluenceInput Input(float[] x, int[] labels, bool[] isQuery)
    {
        var queries = Enumerable.Range(0, Items).Where(i => isQuery[i]).ToArray();
        var database = Enumerable.Range(0, Items).Where(i => !isQuery[i]).ToArray();
        float[] Gather(int[] items) => items.SelectMany(i => x.AsSpan(i * P * Dim, P * Dim).ToArray()).ToArray();
        return new KnnInfluenceInput(new InMemoryRows(Gather(queries), queries.Length, P, Dim), queries.Select(i => labels[i]).ToArray(),
            new InMemoryRows(Gather(database), database.Length, P, Dim), database.Select(i => labels[i]).ToArray());
    }
}
