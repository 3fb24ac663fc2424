using System.Buffers;
using System.Threading.Channels;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Results;

namespace TraceProbe.Embeddings;

/// <summary>The items made from one source photo (e.g. its crops under each processing).</summary>
public sealed record PhotoWork(Photo Photo, IReadOnlyList<int> Items);

/// <summary>Writes the encoder-input tensor of one item made from a decoded source photo.</summary>
public delegate void ItemRenderer(Image<Rgb24> source, int item, Span<float> tensor);

/// <summary>Progress of a long stage: items done out of total.</summary>
public readonly record struct StageProgress(string Stage, int Done, int Total);

public sealed record EmbeddingPipelineOptions
{
    public int BatchSize { get; init; } = 8;
    /// <summary>Threads decoding and processing photos while the encoder runs.</summary>
    public int PreprocessThreads { get; init; } = 1;
    /// <summary>Rendered tensors waiting for the encoder; bounds memory whatever the dataset size.</summary>
    public int QueueCapacity { get; init; } = 32;
}

/// <summary>
/// Decoding and processing run on producer threads, feeding batches to ONNX Runtime through a bounded channel.
/// Each embedding lands at its item's row, so the result does not depend on thread timing.
/// </summary>
public sealed class EmbeddingPipeline(OnnxEncoder encoder, EmbeddingPipelineOptions? options = null)
{
    private readonly EmbeddingPipelineOptions _options = options ?? new EmbeddingPipelineOptions();

    public sealed record Output(float[] Embeddings, bool[] Done, IReadOnlyList<SkippedInput> Skipped);

    public async Task<Output> RunAsync(IReadOnlyList<PhotoWork> work, int itemCount, ItemRenderer render,
        IProgress<StageProgress>? progress = null, CancellationToken cancel = default)
    {
        var dim = encoder.Dim;
        var inputLength = encoder.InputLength;
        var embeddings = new float[(long)itemCount * dim];
        var done = new bool[itemCount];
        var skipped = new List<SkippedInput>();
        var channel = Channel.CreateBounded<(int Item, float[] Tensor)>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var total = work.Sum(w => w.Items.Count);

        var producer = Task.Run(async () =>
        {
            try
            {
                await Parallel.ForEachAsync(work, new ParallelOptions
                {
                    MaxDegreeOfParallelism = Math.Max(1, _options.PreprocessThreads),
                    CancellationToken = cancel,
                }, async (w, ct) =>
                {
                    Image<Rgb24> source;
                    try
                    {
                        source = ImageLoader.Load(w.Photo.Path);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        lock (skipped) skipped.Add(new SkippedInput(w.Photo.Path, e.Message));
                        return;
                    }
                    using (source)
                    {
                        foreach (var item in w.Items)
                        {
                            var tensor = ArrayPool<float>.Shared.Rent(inputLength);
                            render(source, item, tensor.AsSpan(0, inputLength));
                            await channel.Writer.WriteAsync((item, tensor), ct);
                        }
                    }
                });
                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        }, cancel);

        var batch = new List<(int Item, float[] Tensor)>(_options.BatchSize);
        var inputs = new float[_options.BatchSize * inputLength];
        var outputs = new float[_options.BatchSize * dim];
        var finished = 0;
        void Flush()
        {
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Tensor.AsSpan(0, inputLength).CopyTo(inputs.AsSpan(i * inputLength, inputLength));
                ArrayPool<float>.Shared.Return(batch[i].Tensor);
            }
            encoder.Embed(inputs.AsSpan(0, batch.Count * inputLength), batch.Count, outputs);
            for (var i = 0; i < batch.Count; i++)
            {
                outputs.AsSpan(i * dim, dim).CopyTo(embeddings.AsSpan(batch[i].Item * dim, dim));
                done[batch[i].Item] = true;
            }
            finished += batch.Count;
            batch.Clear();
            progress?.Report(new StageProgress("embed", finished, total));
        }

        await foreach (var entry in channel.Reader.ReadAllAsync(cancel))
        {
            batch.Add(entry);
            if (batch.Count == _options.BatchSize) Flush();
        }
        if (batch.Count > 0) Flush();
        await producer;
        return new Output(embeddings, done, skipped.OrderBy(s => s.Path, StringComparer.Ordinal).ToList());
    }
}
