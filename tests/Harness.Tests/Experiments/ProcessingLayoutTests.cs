using TraceProbe.Common;
using TraceProbe.Experiments;
using TraceProbe.Probes;
using TraceProbe.Results;

namespace TraceProbe.Tests.Experiments;

/// <summary>The layout is a type: a short token in files, old files still read, a reworded mode refused, not misread.</summary>
public sealed class ProcessingLayoutTests
{
    [Fact]
    public void An_old_quick_file_and_an_old_paper_mode_file_read_as_their_layouts()
    {
        // Quick runs wrote no mode; paper runs wrote this sentence until the token replaced it.
        Assert.Equal(ProcessingLayout.QuickCrops, ProcessingLayouts.Parse(null, "old-quick.safetensors"));
        Assert.Equal(ProcessingLayout.PaperWholeImages, ProcessingLayouts.Parse("paper (test = the dataset's val split; every image under every class)", "old-paper.safetensors"));
    }

    [Theory]
    [InlineData(ProcessingLayout.QuickCrops, "quick")]
    [InlineData(ProcessingLayout.PaperWholeImages, "paper")]
    public void A_layout_round_trips_through_its_token(ProcessingLayout layout, string token)
    {
        Assert.Equal(token, layout.Token());
        Assert.Equal(layout, ProcessingLayouts.Parse(token, "x.safetensors"));
        Assert.Equal(layout, ProcessingLayouts.ParseOption(token.ToUpperInvariant()));
    }

    [Fact]
    public void A_reworded_mode_is_refused_naming_the_file_instead_of_being_read_as_quick()
    {
        var error = Assert.Throws<InvalidDataException>(() => ProcessingLayouts.Parse("paper (whole images)", "run/jpeg.safetensors"));
        Assert.Contains("run/jpeg.safetensors", error.Message);
        Assert.Contains("'paper (whole images)'", error.Message);
    }

    [Fact]
    public void Protocol_is_the_optimiser_and_the_layout_follows_it_only_when_not_given()
    {
        Assert.Equal(ProcessingLayout.PaperWholeImages, new JobSettings { Protocol = ProbeProtocol.Paper }.LayoutOrDefault);
        Assert.Equal(ProcessingLayout.QuickCrops, new JobSettings { Protocol = ProbeProtocol.Paper, Layout = ProcessingLayout.QuickCrops }.LayoutOrDefault);
        Assert.Equal(ProcessingLayout.PaperWholeImages, new JobSettings { Layout = ProcessingLayout.PaperWholeImages }.LayoutOrDefault);
        Assert.Contains("--layout 'crops'", Assert.Throws<SettingsException>(() => ProcessingLayouts.ParseOption("crops")).Message);
    }

    [Theory]
    [InlineData(TraceKind.Processing, ProcessingLayout.QuickCrops, ExperimentNames.Processing)]
    [InlineData(TraceKind.Processing, ProcessingLayout.PaperWholeImages, ExperimentNames.Processing)]
    [InlineData(TraceKind.Acquisition, ProcessingLayout.QuickCrops, ExperimentNames.Acquisition)]
    [InlineData(TraceKind.Acquisition, ProcessingLayout.PaperWholeImages, ExperimentNames.Acquisition)]
    public void Every_kind_has_an_experiment_in_every_layout(TraceKind kind, ProcessingLayout layout, string name) =>
        Assert.Equal(name, ExperimentTable.For(kind, layout).Name);
}
