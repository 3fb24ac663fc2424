using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Threading.Channels;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TraceProbe.Common;
using TraceProbe.Encoders;
using TraceProbe.Images;

namespace TraceProbe.Embeddings;

/// <summary>Writes the encoder-input tensor of one item made from its decoded source photo.</summary>
public delegate void ItemRenderer(Image<Rgb24> source, int item, Span<float> tensor);

/// <summary>Progress of a long stage: items done out of total.</summary>
public readonly record struct StageProgress(string Stage, int Done, int Total);

public sealed record EmbeddingPipelineOptions
{
    /// <summary>Images per ONNX Runtime call.</summary>
    public int BatchSize { get; init; } = 8;
    /// <summary>Threads decoding and processing photos while the encoder runs; 0 (the default) picks from the cores and
    /// the encoder's runs (<see cref="EmbeddingPipeline.DefaultPreprocessThreads"/>).</summary>
    public int PreprocessThreads { get; init; }
    /// <summary>Rendered batches waiting for the encoder; bounds memory whatever the dataset size.</summary>
    public int QueueCapacity { get; init; } = 4;
    /// <summary>Items per cache entry (a multiple of the batch size keeps batches inside one entry).</summary>
    public int ChunkSize { get; init; } = 64;
}

/// <summary>
/// Decoding, processing and the encoder's preprocessing run on producer threads and feed batches through a bounded
/// channel to the encoder's runs (<see cref="EncoderRuns"/>), each on its own thread. The plan is cut into fixed
/// chunks of consecutive items, and each chunk into fixed batches, so every embedding comes from the same batch
/// whatever the shard, thread count, run count or resume point: results are identical however the work is split.
/// Finished chunks go to the cache atomically.
/// </summary>
public sealed class EmbeddingPipeline(OnnxEncoder encoder, EmbeddingPipelineOptions? options = null, EmbeddingCache? cache = null)
{
    private readonly EmbeddingPipelineOptions _options = (options ?? new EmbeddingPipelineOptions()).Validated();

    /// <summary>A chunk of the plan and the content hash naming its cache entry.</summary>
    public sealed record Chunk(int Index, int Start, int Count, string Key);

    public sealed record Output(
        float[] Embeddings, bool[] Done, IReadOnlyList<SkippedInput> Skipped, IReadOnlyList<Chunk> Chunks,
        int ComputedChunks, int CachedChunks);

    private sealed record Batch(int Chunk, int Start, int Count, float[] Tensors, string?[] Missing);

    /// <summary>
    /// Decoding and processing threads when none are set. Beside single-threaded encoder runs (the CPU's default, one
    /// per core) every core also renders: a rendering thread that preempts such a run only delays it, the bounded
    /// queue stops the renderers once it is full, and at the start every core renders a batch at once. Beside a
    /// multi-threaded run, whose every operator waits for its slowest thread, renderers take only the cores the
    /// encoder leaves, at least one: on a GPU node (the encoder keeps one CPU thread busy) all others.
    /// Results do not depend on it: chunks and batches are fixed by the plan, not by the threads.
    /// </summary>
    public static int DefaultPreprocessThreads(int cores, int encoderThreads, bool singleThreadedRuns) =>
        singleThreadedRuns ? Math.Max(1, cores) : Math.Max(1, cores - encoderThreads);

    public IReadOnlyList<Chunk> PlanChunks(EmbeddingRequest request)
    {
        var chunkSize = Math.Max(1, _options.ChunkSize);
        var specJson = JsonSerializer.Serialize(encoder.Spec);
        var modelHash = ModelHash.Sha256(encoder.ModelPath);
        var sizes = new Dictionary<int, long>();
        long SizeOf(int photo)
        {
            if (!sizes.TryGetValue(photo, out var size))
            {
                var file = new FileInfo(request.Photos[photo].Path);
                sizes[photo] = size = file.Exists ? file.Length : -1;
            }
            return size;
        }
        var chunks = new List<Chunk>();
        for (var start = 0; start < request.Items.Count; start += chunkSize)
        {
            var count = Math.Min(chunkSize, request.Items.Count - start);
            var parts = new List<string> { "traceprobe.embeddings/1", request.CodeVersion, $"orientation={request.SourceOrientation}", specJson, modelHash, request.Recipe, $"batch={_options.BatchSize}" };
            for (var i = start; i < start + count; i++)
            {
                var item = request.Items[i];
                parts.Add($"{item.Key}|{item.Processing}|{request.Photos[item.Photo].Key}|{SizeOf(item.Photo)}");
            }
            chunks.Add(new Chunk(chunks.Count, start, count, EmbeddingCache.Key(parts)));
        }
        return chunks;
    }

    /// <param name="rowsTo">Where finished chunks' rows go instead of the output's one array (then empty): a task
    /// of any size is written to its file as it is embedded, never held whole in memory.</param>
    public async Task<Output> RunAsync(EmbeddingRequest request, Shard shard, IProgress<StageProgress>? progress = null,
        CancellationToken cancel = default, EmbeddingsFile.Writer? rowsTo = null)
    {
        var dim = encoder.Dim;
        var inputLength = encoder.InputLength;
        var items = request.Items;
        var embeddings = rowsTo is null ? new float[(long)items.Count * dim] : [];
        var done = new bool[items.Count];
        var skipped = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var chunks = PlanChunks(request).Where(c => shard.Owns(c.Index)).ToList();
        var total = chunks.Sum(c => c.Count);
        var finished = 0;
        var cached = 0;

        var toCompute = new List<Chunk>();
        foreach (var chunk in chunks)
        {
            if (cache is not null && cache.TryRead(chunk.Key, out var entry) && entry!.Count == chunk.Count && entry.Dim == dim)
            {
                Absorb(chunk, entry.Embeddings, MissingOf(entry), request, embeddings, done, skipped, rowsTo);
                finished += chunk.Count;
                cached++;
            }
            else
            {
                toCompute.Add(chunk);
            }
        }
        progress?.Report(new StageProgress("embed", finished, total));

        var channel = Channel.CreateBounded<Batch>(new BoundedChannelOptions(Math.Max(1, _options.QueueCapacity))
        {
            SingleReader = encoder.Runs.Runs == 1,
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var producer = Task.Run(async () =>
        {
            try
            {
                await Parallel.ForEachAsync(Units(toCompute), new ParallelOptions
                {
                    MaxDegreeOfParallelism = _options.PreprocessThreads > 0
                        ? _options.PreprocessThreads
                        : DefaultPreprocessThreads(Environment.ProcessorCount, encoder.CpuThreads, encoder.Runs.SingleThreaded),
                    CancellationToken = stop.Token,
                }, async (unit, ct) => await ProduceAsync(unit, request, channel.Writer, inputLength, ct));
                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        }, stop.Token);

        // Consumers: the encoder's runs, each on its own thread, one fixed batch at a time; batches and chunks
        // complete in any order, and each batch's rows land at its fixed place.
        var pending = toCompute.ToDictionary(c => c.Index, c => (Chunk: c, Left: c.Count, Embeddings: new float[c.Count * dim], Missing: new string?[c.Count]));
        var gate = new object();
        void Consume()
        {
            var output = new float[_options.BatchSize * dim];
            var reader = channel.Reader;
            while (reader.WaitToReadAsync(stop.Token).AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out var batch))
                {
                    encoder.Embed(batch.Tensors.AsSpan(0, batch.Count * inputLength), batch.Count, output);
                    ArrayPool<float>.Shared.Return(batch.Tensors);
                    lock (gate)
                    {
                        var state = pending[batch.Chunk];
                        output.AsSpan(0, batch.Count * dim).CopyTo(state.Embeddings.AsSpan((batch.Start - state.Chunk.Start) * dim));
                        batch.Missing.AsSpan(0, batch.Count).CopyTo(state.Missing.AsSpan(batch.Start - state.Chunk.Start));
                        state.Left -= batch.Count;
                        pending[batch.Chunk] = state;
                        if (state.Left == 0)
                        {
                            cache?.Write(state.Chunk.Key, ToEntry(state.Chunk, state.Embeddings, state.Missing, request, dim));
                            Absorb(state.Chunk, state.Embeddings, state.Missing, request, embeddings, done, skipped, rowsTo);
                            pending.Remove(batch.Chunk);
                        }
                        finished += batch.Count;
                        progress?.Report(new StageProgress("embed", finished, total));
                    }
                }
            }
        }
        var consumers = Enumerable.Range(0, Math.Max(1, encoder.Runs.Runs))
            .Select(_ => Task.Factory.StartNew(() =>
            {
                try { Consume(); }
                catch { stop.Cancel(); throw; }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToList();
        try
        {
            await Task.WhenAll(consumers);
        }
        catch (OperationCanceledException) when (FirstFailure(consumers) is { } failure)
        {
            // A run that failed stopped the others: its error, not their cancellation, is the one to report.
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
        finally
        {
            stop.Cancel();
            try { await producer; } catch (OperationCanceledException) { }
        }
        return new Output(embeddings, done, skipped.Select(kv => new SkippedInput(kv.Key, kv.Value)).ToList(), chunks,
            toCompute.Count, cached);
    }

    private static Exception? FirstFailure(IEnumerable<Task> tasks) =>
        tasks.Select(t => t.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException);

    /// <summary>A stretch of consecutive items of one chunk that one thread renders in order, decoding each photo once.</summary>
    private sealed record Unit(Chunk Chunk, int Start, int Count);

    /// <summary>Whole chunks beside a multi-threaded encoder run (a photo seen under several processings is decoded
    /// once); single batches beside single-threaded runs, so that every core starts on its own batch at once.</summary>
    private IEnumerable<Unit> Units(IEnumerable<Chunk> chunks)
    {
        foreach (var chunk in chunks)
        {
            if (!encoder.Runs.SingleThreaded || encoder.Runs.Runs == 1)
            {
                yield return new Unit(chunk, chunk.Start, chunk.Count);
                continue;
            }
            for (var start = chunk.Start; start < chunk.Start + chunk.Count; start += _options.BatchSize)
                yield return new Unit(chunk, start, Math.Min(_options.BatchSize, chunk.Start + chunk.Count - start));
        }
    }

    private async Task ProduceAsync(Unit unit, EmbeddingRequest request, ChannelWriter<Batch> writer, int inputLength, CancellationToken ct)
    {
        Image<Rgb24>? source = null;
        var sourcePhoto = -1;
        string? sourceError = null;
        try
        {
            for (var start = unit.Start; start < unit.Start + unit.Count; start += _options.BatchSize)
            {
                var count = Math.Min(_options.BatchSize, unit.Start + unit.Count - start);
                var tensors = ArrayPool<float>.Shared.Rent(count * inputLength);
                var missing = new string?[count];
                for (var i = 0; i < count; i++)
                {
                    var item = request.Items[start + i];
                    if (item.Photo != sourcePhoto)
                    {
                        source?.Dispose();
                        source = null;
                        sourcePhoto = item.Photo;
                        try
                        {
                            source = ImageLoader.Load(request.Photos[item.Photo].Path, request.SourceOrientation);
                            sourceError = null;
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            sourceError = e.Message;
                        }
                    }
                    var tensor = tensors.AsSpan(i * inputLength, inputLength);
                    if (source is null)
                    {
                        // The batch keeps its shape (so its other items stay bit-identical); this item is marked missing.
                        tensor.Clear();
                        missing[i] = sourceError;
                    }
                    else
                    {
                        request.Render(source, start + i, tensor);
                    }
                }
                await writer.WriteAsync(new Batch(unit.Chunk.Index, start, count, tensors, missing), ct);
            }
        }
        finally
        {
            source?.Dispose();
        }
    }

    private static EmbeddingSet ToEntry(Chunk chunk, float[] values, string?[] missing, EmbeddingRequest request, int dim)
    {
        var metadata = new Dictionary<string, string>
        {
            ["missing"] = JsonSerializer.Serialize(Enumerable.Range(0, missing.Length).Where(i => missing[i] is not null)
                .ToDictionary(i => i.ToString(), i => missing[i]!)),
        };
        var items = Enumerable.Range(chunk.Start, chunk.Count).Select(i => request.Items[i]).ToList();
        return new EmbeddingSet(values, dim, items.Select(i => i.Key).ToList(), items.Select(i => i.Processing).ToList(), metadata);
    }

    /// <summary>Per item of a cache entry: why it could not be made, or null.</summary>
    public static string?[] MissingOf(EmbeddingSet entry)
    {
        var missing = new string?[entry.Count];
        if (entry.Metadata.TryGetValue("missing", out var json))
            foreach (var (k, v) in JsonSerializer.Deserialize<Dictionary<string, string>>(json)!)
                missing[int.Parse(k)] = v;
        return missing;
    }

    private static void Absorb(Chunk chunk, float[] values, string?[] missing, EmbeddingRequest request, float[] embeddings,
        bool[] done, SortedDictionary<string, string> skipped, EmbeddingsFile.Writer? rowsTo)
    {
        var dim = values.Length / Math.Max(1, chunk.Count);
        if (rowsTo is not null) rowsTo.WriteRows(chunk.Start, values.AsSpan(0, chunk.Count * dim));
        else values.AsSpan(0, chunk.Count * dim).CopyTo(embeddings.AsSpan((int)((long)chunk.Start * dim)));
        for (var i = 0; i < chunk.Count; i++)
        {
            if (missing[i] is { } reason)
                skipped.TryAdd(request.Photos[request.Items[chunk.Start + i].Photo].Path, reason);
            else
                done[chunk.Start + i] = true;
        }
    }
}
