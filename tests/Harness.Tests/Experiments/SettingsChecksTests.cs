using TraceProbe.Cli;
using TraceProbe.Common;
using TraceProbe.Datasets;
using TraceProbe.Embeddings;
using TraceProbe.Experiments;
using TraceProbe.Neighbours;
using TraceProbe.Probes;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Experiments;

/// <summary>Settings are checked by the library, before any work, with errors that name the setting; the CLI exits 2.</summary>
[Collection("Console")]
public sealed class SettingsChecksTests
{
    [Fact]
    public async Task A_batch_size_of_zero_is_refused_by_the_suite_instead_of_hanging()
    {
        var run = TraceSuite.RunAsync(new JobSettings { BatchSize = 0, Encoders = ["resnet18"], Tasks = ["jpeg"], Quiet = true }, SilentObserver.Instance);
        // Before the check, the pipeline's `start += BatchSize` never advanced: a hang, caught here by the timeout.
        var error = await Assert.ThrowsAsync<SettingsException>(() => run.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("--batch-size 0", error.Message);
        Assert.Contains("BatchSize", error.Message);
    }

    [Fact]
    public void The_pipeline_refuses_a_batch_size_of_zero_whoever_builds_its_options() =>
        Assert.Contains("--batch-size 0", Assert.Throws<SettingsException>(() => new EmbeddingPipelineOptions { BatchSize = 0 }.Validated()).Message);

    [Theory]
    [InlineData("--batch-size", "0")]
    [InlineData("--chunk-size", "0")]
    [InlineData("--train-crops", "0")]
    [InlineData("--min-test-photos", "0")]
    [InlineData("--probe-seeds", "0")]
    [InlineData("--knn-k", "-1")]
    [InlineData("--mask-ratio", "1")]
    [InlineData("--device", "tpu")]
    [InlineData("--device", "cuda:x")]
    public async Task Run_with_a_setting_out_of_range_exits_2_naming_it_without_a_stack_trace(string option, string value)
    {
        var (exit, err) = await Cli("run", option, value, "--encoders", "resnet18", "--tasks", "jpeg", "--quiet",
            "--out", TestData.TempFolder("settings"));
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(option, err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task Embed_and_knn_refuse_an_unknown_device_as_run_does()
    {
        var (exit, err) = await Cli("embed", "--device", "tpu", "--encoders", "resnet18", "--tasks", "jpeg", "--quiet", "--out", TestData.TempFolder("settings"));
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--device 'tpu'", err);
        Assert.Throws<SettingsException>(() => new KnnOptions().OnDevice("tpu"));
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData(10, 10)]
    [InlineData(3, 3)]
    public void On_inaturalist_an_explicit_k_is_kept_and_no_k_takes_the_datasets(int? asked, int expected)
    {
        var inat = new Dataset { Root = "inat", Photos = [], PaperK = 1 };
        Assert.Equal(expected, PaperMode.K(new JobSettings { KnnK = asked, Protocol = ProbeProtocol.Paper }, inat));
    }

    [Fact]
    public void An_explicit_k_of_10_on_inaturalist_is_listed_as_a_departure()
    {
        var inat = new Dataset { Root = "inat", Photos = [], PaperK = 1, SemanticLabels = [], GivenSides = [] };
        var jpeg = TaskSelection.Select(["jpeg"], TraceKind.Processing);
        var departures = PaperMode.Departures(new JobSettings { KnnK = 10, Protocol = ProbeProtocol.Paper }, inat, jpeg, []);
        Assert.Contains(departures, d => d.Contains("k = 10") && d.Contains("is 1"));
    }

    private static async Task<(int Exit, string Err)> Cli(params string[] args)
    {
        var stderr = Console.Error;
        using var e = new StringWriter();
        Console.SetError(e);
        try
        {
            return (await TraceProbeApp.RunAsync(args), e.ToString());
        }
        finally
        {
            Console.SetError(stderr);
        }
    }
}
