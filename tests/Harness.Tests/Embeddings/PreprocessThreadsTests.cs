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
    [InlineData(2, 2, 1)]    // one ONNX Runtime run on both cores: one thread overlaps
    [InlineData(1, 1, 1)]
    [InlineData(32, 1, 31)]  // a GPU node: the encoder feeds the device from one thread
    [InlineData(16, 4, 12)]
    [InlineData(4, 8, 1)]
    public void Beside_a_multi_threaded_run_the_default_takes_the_cores_the_encoder_leaves(int cores, int encoderThreads, int expected) =>
        Assert.Equal(expected, EmbeddingPipeline.DefaultPreprocessThreads(cores, encoderThreads, singleThreadedRuns: false));

    [Theory]
    [InlineData(2, 2)]       // this machine's kind: a single-threaded run per core, and every core also renders
    [InlineData(1, 1)]
    [InlineData(8, 8)]
    public void Beside_single_threaded_runs_every_core_renders(int cores, int expected) =>
        Assert.Equal(expected, EmbeddingPipeline.DefaultPreprocessThreads(cores, cores, singleThreadedRuns: true));

    [Fact]
    public void An_encoder_on_the_cpu_counts_its_intra_op_threads()
    {
        using var two = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder, new EncoderRuntimeOptions { IntraOpThreads = 2 });
        using var all = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder);
        Assert.Equal(2, two.CpuThreads);
        Assert.Equal(new EncoderRuns(1, 2), two.Runs);
        Assert.Equal(Environment.ProcessorCount, all.CpuThreads);
        Assert.Equal(EncoderRuns.For(Environment.ProcessorCount, 0, cuda: false), all.Runs);
    }

    [Fact]
    public async Task Embeddings_are_bit_identical_whatever_the_thread_count()
    {
        using var encoder = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder, new EncoderRuntimeOptions { IntraOpThreads = 1 });
        var tensorizer = new InputTensorizer(encoder.Spec, encoder.MeanImage);
        var photos = TestData.Photos.Take(5).ToList();
        string[] ops = ["none", "JPEG75_420", "JPEG95_444"];
        var items = photos.SelectMany((p, i) => ops.Select(op => new PlannedItem($"{p.Key}#{op}", i, op))).ToList();
        var request = new EmbeddingRequest("threads", photos, items, UnderItsProcessing(items, tensorizer), "threads-test");
        async Task<float[]> Run(int threads) =>
            (await new EmbeddingPipeline(encoder, new EmbeddingPipelineOptions { BatchSize = 2, ChunkSize = 4, PreprocessThreads = threads })
                .RunAsync(request, Shard.All)).Embeddings;

        var one = await Run(1);
        // 15 items in 4 chunks: with 3 or 4 threads the chunks are produced, and reach the encoder, in another order.
        Assert.Equal(one, await Run(3));
        Assert.Equal(one, await Run(4));
        Assert.Contains(one, v => v != 0);
    }

    [Fact]
    public async Task Embeddings_are_bit_identical_whatever_the_number_of_encoder_runs()
    {
        var photos = TestData.Photos.Take(4).ToList();
        string[] ops = ["none", "JPEG75_420", "SHARPEN_2"];
        var items = photos.SelectMany((p, i) => ops.Select(op => new PlannedItem($"{p.Key}#{op}", i, op))).ToList();
        async Task<float[]> Run(EncoderRuntimeOptions options, int preprocessThreads)
        {
            using var encoder = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder, options);
            var tensorizer = new InputTensorizer(encoder.Spec, encoder.MeanImage);
            var request = new EmbeddingRequest("runs", photos, items, UnderItsProcessing(items, tensorizer), "runs-test");
            return (await new EmbeddingPipeline(encoder, new EmbeddingPipelineOptions { BatchSize = 2, ChunkSize = 4, PreprocessThreads = preprocessThreads })
                .RunAsync(request, Shard.All)).Embeddings;
        }

        // One run on one thread against three and four single-threaded runs at once (batches, then chunks, complete
        // in another order), and two runs sharing a pool of two threads.
        var one = await Run(new EncoderRuntimeOptions { IntraOpThreads = 1 }, 1);
        Assert.Equal(one, await Run(new EncoderRuntimeOptions { Runs = 3 }, 0));
        Assert.Equal(one, await Run(new EncoderRuntimeOptions { Runs = 4, IntraOpThreads = 1 }, 2));
        Assert.Equal(one, await Run(new EncoderRuntimeOptions { Runs = 2, IntraOpThreads = 2 }, 1));
        Assert.Contains(one, v => v != 0);
    }

    [Fact]
    public async Task A_failure_while_rendering_is_reported_not_the_other_runs_cancellation()
    {
        using var encoder = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder, new EncoderRuntimeOptions { Runs = 3, IntraOpThreads = 1 });
        var photos = TestData.Photos.Take(3).ToList();
        var items = Enumerable.Range(0, 12).Select(i => new PlannedItem($"item{i}", i % 3, "none")).ToList();
        var tensorizer = new InputTensorizer(encoder.Spec, encoder.MeanImage);
        void Render(SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24> source, int item, Span<float> tensor)
        {
            if (item == 9) throw new InvalidOperationException("render failed on item 9");
            using var input = tensorizer.ResizeAndCrop(source);
            tensorizer.Tensorize(input, tensor);
        }
        var request = new EmbeddingRequest("fails", photos, items, Render, "fails-test");
        var pipeline = new EmbeddingPipeline(encoder, new EmbeddingPipelineOptions { BatchSize = 2, ChunkSize = 4 });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.RunAsync(request, Shard.All));
        Assert.Contains("item 9", error.Message);
    }

    /// <summary>Each item's photo under its processing, then the encoder's transform.</summary>
    private static ItemRenderer UnderItsProcessing(IReadOnlyList<PlannedItem> items, InputTensorizer tensorizer) => (source, item, tensor) =>
    {
        var op = items[item].Processing;
        using var processed = op == "none" ? source.Clone() : ProcessingCatalog.Parse(op).Apply(source, 0);
        using var input = tensorizer.ResizeAndCrop(processed);
        tensorizer.Tensorize(input, tensor);
    };
}
