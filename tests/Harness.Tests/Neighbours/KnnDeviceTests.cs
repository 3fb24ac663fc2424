using TraceProbe.Common;
using TraceProbe.Experiments;
using TraceProbe.Neighbours;

namespace TraceProbe.Tests.Neighbours;

/// <summary>The kNN runs where the user's --device says, in the run as in the knn command.</summary>
public sealed class KnnDeviceTests
{
    [Theory]
    [InlineData("cpu", KnnDevice.Cpu, 0)]
    [InlineData("cuda", KnnDevice.Cuda, 0)]
    [InlineData("CUDA:2", KnnDevice.Cuda, 2)]
    public void A_device_name_sets_the_kNN_device(string name, KnnDevice device, int id)
    {
        var options = new KnnOptions { K = 7 }.OnDevice(name);
        Assert.Equal((device, id, 7), (options.Device, options.DeviceId, options.K));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    public void A_bad_device_is_a_settings_error_naming_it(string name)
    {
        var error = Assert.Throws<SettingsException>(() => new KnnOptions().OnDevice(name));
        Assert.Contains(name, error.Message);
    }

    [Fact]
    public void The_runs_kNN_follows_the_runs_device()
    {
        Assert.Equal(KnnDevice.Cuda, new JobSettings { Device = "cuda:1" }.ProcessingOptions(null!).Knn!.Device);
        Assert.Equal(KnnDevice.Cpu, new JobSettings().ProcessingOptions(null!).Knn!.Device);
    }
}
