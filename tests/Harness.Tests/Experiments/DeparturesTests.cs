using TraceProbe.Common;
using TraceProbe.Datasets;
using TraceProbe.Experiments;
using TraceProbe.Probes;

namespace TraceProbe.Tests.Experiments;

/// <summary>What a run cannot match of the reference is listed as a departure, never reported as "nothing departs".</summary>
public sealed class DeparturesTests
{
    private static readonly Dataset FlickrExif = new() { Root = "flickrexif", Photos = [], Layout = DatasetLayouts.FlickrExif };

    [Fact]
    public void An_unmasked_paper_mode_acquisition_run_is_a_departure()
    {
        var make = TaskSelection.Select(["make"], TraceKind.Acquisition);
        var paper = new JobSettings { Protocol = ProbeProtocol.Paper, MaskRatio = 0 };
        Assert.Contains(PaperMode.Departures(paper, FlickrExif, [], make), d => d.Contains("unmasked (--mask-ratio 0)"));
        Assert.DoesNotContain(PaperMode.Departures(paper with { MaskRatio = null }, FlickrExif, [], make), d => d.Contains("mask"));
    }

    [Fact]
    public void What_the_dataset_reader_found_missing_is_listed_with_the_protocols_departures()
    {
        var dataset = FlickrExif with { Departures = ["Make split: 3 of 20 listed images missing"] };
        var departures = PaperMode.Departures(new JobSettings { Protocol = ProbeProtocol.Paper }, dataset, [], []);
        Assert.Equal(["Make split: 3 of 20 listed images missing"], departures);
    }

    [Fact]
    public void Paircams_lists_the_direction_average_and_missing_pairs()
    {
        Assert.Contains(RetrievalSuite.Departures([]), d => d.Contains("average the two query directions"));
        Assert.Contains(RetrievalSuite.Departures([new SkippedInput("pairs/7", "pair without camera.* image")]), d => d.Contains("1 listed image(s) or pair(s) missing"));
    }
}
