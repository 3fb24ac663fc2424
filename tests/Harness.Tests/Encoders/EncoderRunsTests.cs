using TraceProbe.Encoders;

namespace TraceProbe.Tests.Encoders;

/// <summary>How the encoder's work is spread over the cores by default, and what a thread count asks for.</summary>
public sealed class EncoderRunsTests
{
    [Theory]
    [InlineData(2, 0, 0, 2, 1)]     // this machine's kind: a single-threaded run per core
    [InlineData(1, 0, 0, 1, 1)]
    [InlineData(8, 0, 0, 8, 1)]
    [InlineData(32, 0, 0, 8, 25)]   // at most 8 runs, sharing the remaining cores' threads
    [InlineData(16, 4, 0, 1, 4)]    // --threads 4: one run on four threads, as ONNX Runtime runs it
    [InlineData(2, 1, 0, 1, 1)]     // --threads 1 keeps the encoder to one core
    [InlineData(4, 0, 2, 2, 3)]
    [InlineData(4, 1, 4, 4, 1)]
    public void On_the_cpu(int cores, int intraOpThreads, int runs, int expectedRuns, int expectedThreads)
    {
        var split = EncoderRuns.For(cores, intraOpThreads, cuda: false, runs);
        Assert.Equal(new EncoderRuns(expectedRuns, expectedThreads), split);
        Assert.Equal(expectedThreads == 1, split.SingleThreaded);
    }

    [Theory]
    [InlineData(32, 0)]
    [InlineData(2, 4)]
    public void On_a_gpu_one_run_feeds_the_device(int cores, int intraOpThreads) =>
        Assert.Equal(new EncoderRuns(1, intraOpThreads), EncoderRuns.For(cores, intraOpThreads, cuda: true));
}
