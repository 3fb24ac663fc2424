using Snapshooter;
using Snapshooter.Xunit;

namespace TraceProbe.Generators.Tests;

public class SnapshotTests
{
    [Fact]
    public void Emits_one_file_per_encoder_and_task_plus_two_registries_and_the_registry_hash()
    {
        var result = GeneratorRunner.Run(TestRegistry.Json, out _, out var diagnostics);

        Assert.Empty(diagnostics);
        Assert.Equal(
            [
                "TraceProbe.Encoders.Generated.OpenaiViTB16Test.g.cs",
                "TraceProbe.Encoders.Generated.Resnet18Test.g.cs",
                "TraceProbe.Experiments.Generated.SharpenTestExperiment.g.cs",
                "TraceProbe.Experiments.Generated.MakeTestExperiment.g.cs",
                "TraceProbe.Experiments.Generated.ExposureTestExperiment.g.cs",
                "TraceProbe.Encoders.EncoderRegistry.g.cs",
                "TraceProbe.Encoders.EncoderRegistry.Sha256.g.cs",
                "TraceProbe.Experiments.ExperimentRegistry.g.cs",
            ],
            result.GeneratedSources.Select(s => s.HintName));
    }

    [Theory]
    [InlineData("TraceProbe.Encoders.Generated.OpenaiViTB16Test")]
    [InlineData("TraceProbe.Encoders.Generated.Resnet18Test")]
    [InlineData("TraceProbe.Experiments.Generated.SharpenTestExperiment")]
    [InlineData("TraceProbe.Experiments.Generated.MakeTestExperiment")]
    [InlineData("TraceProbe.Experiments.Generated.ExposureTestExperiment")]
    [InlineData("TraceProbe.Encoders.EncoderRegistry")]
    [InlineData("TraceProbe.Encoders.EncoderRegistry.Sha256")]
    [InlineData("TraceProbe.Experiments.ExperimentRegistry")]
    public void Generated_source_matches_snapshot(string file)
    {
        var result = GeneratorRunner.Run(TestRegistry.Json, out _, out _);

        var source = result.GeneratedSources.Single(s => s.HintName == file + ".g.cs").SourceText.ToString();
        Snapshot.Match(source, SnapshotNameExtension.Create(file));
    }
}
