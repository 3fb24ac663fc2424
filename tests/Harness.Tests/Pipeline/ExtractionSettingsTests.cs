using TraceProbe.Common;
using TraceProbe.Experiments;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Pipeline;

/// <summary>Bad extract settings are refused before any work, each error naming the input at fault.</summary>
public sealed class ExtractionSettingsTests
{
    [Theory]
    [InlineData("no-such-encoder", "JPEG75_420", 8, "no-such-encoder")]
    [InlineData("resnet18", "BLUR_3", 8, "BLUR_3")]
    [InlineData("resnet18", null, 0, "--batch-size 0")]
    public async Task A_bad_setting_is_a_settings_error_naming_it(string encoder, string? op, int batch, string named)
    {
        var output = Path.Combine(TestData.TempFolder("extract-bad"), "e.safetensors");
        var settings = new ExtractionSettings { Encoder = encoder, Images = TestData.PhotoFolder(1), Out = output, Op = op, BatchSize = batch };
        var error = await Assert.ThrowsAsync<SettingsException>(() => WholeImageExtraction.RunAsync(settings, SilentObserver.Instance));
        Assert.Contains(named, error.Message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task A_missing_images_folder_is_named()
    {
        var missing = Path.Combine(TestData.TempFolder("extract-missing"), "nothing-here");
        var settings = new ExtractionSettings { Encoder = "resnet18", Images = missing, Out = missing + ".safetensors" };
        var error = await Assert.ThrowsAsync<SettingsException>(() => WholeImageExtraction.RunAsync(settings, SilentObserver.Instance));
        Assert.Contains(missing, error.Message);
    }
}
