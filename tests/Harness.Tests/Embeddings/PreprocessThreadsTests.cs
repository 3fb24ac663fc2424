using TraceProbe.EncoderInputs;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Processing;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Embeddings;

/// <summary>How many threads decode and process by default, and that the count never changes an embedding.</summary>
public sealed class PreprocessThreadsTests
{
    [Theory]
    [InlineData(2, 2, 1)]    // this machine's kind: ONNX Runtime on both cores, one thread overlaps
    [InlineData(1, 1, 1)]
    [InlineData(32, 1, 31)]  // a GPU node: the encoder feeds the device from one thread
    [InlineData(16, 4, 12)]
    [InlineData(4, 8, 1)]
    public void The_default_takes_the_cores_the_encoder_leaves(int cores, int encoderThreads, int expected) =>
        Assert.Equal(expected, EmbeddingPipeline.DefaultPreprocessThreads(cores, encoderThreads));

    [Fact]
    public void An_encoder_on_the_cpu_counts_its_intra_op_threads()
    {
        using var two = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder, new EncoderRuntimeOptions { IntraOpThreads = 2 });
        using var all = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder);
        Assert.Equal(2, two.CpuThreads);
        Assert.Equal(Environment.ProcessorCount, all.CpuThreads);
    }

    [Fact]
    public async Task Embeddings_are_bit_identical_whatever_the_thread_count()
    {
        using var encoder = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder, new EncoderRuntimeOptions { IntraOpThreads = 1 });
        var tensorizer = new InputTensorizer(encoder.Spec, encoder.MeanImage);
        var photos = TestData.Photos.Take(5).ToList();
        string[] ops = ["none", "JPEG75_420", "JPEG95_444"];
        var items = photos.SelectMany((p, i) => ops.Select(op => new PlannedItem($"{p.Key}#{op}", i, op))).ToList();
        void Render(SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24> source, int item, Span<float> tensor)
        {
            var op = items[item].Processing;
            using var processed = op == "none" ? source.Clone() : ProcessingCatalog.Parse(op).Apply(source, 0);
            using var input = tensorizer.ResizeAndCrop(processed);
            tensorizer.Tensorize(input, tensor);
        }
        var request = new EmbeddingRequest("threads", photos, items, Render, "threads-test");
        async Task<float[]> Run(int threads) =>
            (await new EmbeddingPipeline(encoder, new EmbeddingPipelineOptions { BatchSize = 2, ChunkSize = 4, PreprocessThreads = threads })
                .RunAsync(request, Shard.All)).Embeddings;

        var one = await Run(1);
        // 15 items in 4 chunks: with 3 or 4 threads the chunks are produced, and reach the encoder, in another order.
        Assert.Equal(one, await Run(3));
        Assert.Equal(one, await Run(4));
        Assert.Contains(one, v => v != 0);
    }
}
