using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using TraceProbe.Common;
using TraceProbe.EncoderInputs;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Processing;

namespace TraceProbe.Embeddings;

/// <summary>What <see cref="FeatureExtraction.RunAsync"/> is asked to do.</summary>
public sealed record FeatureExtractionOptions
{
    /// <summary>A processing op applied to each whole photo before the encoder's transform; null: none.</summary>
    public string? Op { get; init; }

    /// <summary>Seeds ops that draw (INTERPOLATION_*): photo k gets <c>Seeds.Derive(Seed, "ops:" + k)</c>.</summary>
    public ulong Seed { get; init; }

    public EmbeddingPipelineOptions Pipeline { get; init; } = new();

    /// <summary>Where finished chunks are kept, so that a rerun resumes; null: no cache.</summary>
    public string? CacheFolder { get; init; }

    /// <summary>Also write the encoder's exact float32 input tensors [N, 3, H, W] here as .npy.</summary>
    public string? InputsPath { get; init; }
}

/// <summary>The embedded photos (keys in file order), the unusable ones, and how much came from the cache.</summary>
public sealed record FeatureExtractionResult(EmbeddingSet Embeddings, IReadOnlyList<SkippedInput> Skipped, int ComputedChunks, int CachedChunks);

/// <summary>
/// The paper's feature-extraction step on whole photos: for every image of a folder (recursive, ordinal order of the
/// relative path), <c>Image.open(p).convert('RGB')</c>, the processing op if any, the encoder's transform, the model.
/// Runs through <see cref="EmbeddingPipeline"/>, so batches, caching and resuming behave as for `embed`.
/// </summary>
public static class FeatureExtraction
{
    public const string NoOp = "NONE";

    public static async Task<FeatureExtractionResult> RunAsync(OnnxEncoder encoder, IReadOnlyList<Photo> photos,
        FeatureExtractionOptions options, IProgress<StageProgress>? progress = null, CancellationToken cancel = default)
    {
        var op = options.Op is { } id ? ProcessingCatalog.Parse(id) : null;
        var tensorizer = new InputTensorizer(encoder.Spec, encoder.MeanImage);
        var length = tensorizer.TensorLength;
        using var inputs = options.InputsPath is { } inputsPath ? new InputsWriter(inputsPath, photos.Count, tensorizer.Height, tensorizer.Width) : null;

        void Render(SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24> source, int index, Span<float> tensor)
        {
            var processed = op?.Apply(source, Seeds.Derive(options.Seed, $"ops:{photos[index].Key}"));
            try
            {
                using var input = tensorizer.ResizeAndCrop(processed ?? source);
                tensorizer.Tensorize(input, tensor);
            }
            finally
            {
                processed?.Dispose();
            }
            inputs?.Write(index, tensor);
        }

        var opName = options.Op ?? NoOp;
        var items = photos.Select((p, i) => new PlannedItem(p.Key, i, opName)).ToList();
        var request = new EmbeddingRequest($"extract/{encoder.Spec.Id}/{opName}", photos, items, Render,
            $"extract/1;op={opName};seed={options.Seed}");
        var cache = options.CacheFolder is { } folder ? new EmbeddingCache(folder) : null;
        var output = await new EmbeddingPipeline(encoder, options.Pipeline, cache).RunAsync(request, Shard.All, progress, cancel);

        var kept = Enumerable.Range(0, photos.Count).Where(i => output.Done[i]).ToList();
        if (inputs is not null)
        {
            // Chunks read back from the cache were not rendered in this run: their inputs are made now.
            var tensor = new float[length];
            foreach (var i in kept.Where(i => !inputs.Has(i)))
            {
                using var source = ImageLoader.Load(photos[i].Path);
                Render(source, i, tensor);
            }
            inputs.Finish(kept);
        }

        var dim = encoder.Dim;
        var embeddings = new float[(long)kept.Count * dim];
        for (var r = 0; r < kept.Count; r++)
            output.Embeddings.AsSpan(kept[r] * dim, dim).CopyTo(embeddings.AsSpan(r * dim, dim));
        var keys = kept.Select(i => photos[i].Key).ToList();
        var metadata = new Dictionary<string, string>
        {
            [EmbeddingsFile.EncoderKey] = encoder.Spec.Id,
            // Whole photos: each item is its own photo, crop 0 (EmbeddingsFile's item description).
            [EmbeddingsFile.PhotosKey] = JsonSerializer.Serialize(keys),
            [EmbeddingsFile.CropsKey] = JsonSerializer.Serialize(new int[keys.Count]),
            ["op"] = opName,
            ["seed"] = options.Seed.ToString(),
            ["skipped"] = JsonSerializer.Serialize(output.Skipped),
        };
        var set = new EmbeddingSet(embeddings, dim, keys, kept.Select(_ => opName).ToList(), metadata);
        return new FeatureExtractionResult(set, output.Skipped, output.ComputedChunks, output.CachedChunks);
    }

    /// <summary>
    /// Input tensors written as they are rendered, each at its photo's slot of a temporary .npy (rendering runs on
    /// several threads, in chunk order); <see cref="Finish"/> then keeps the embedded photos' rows, in order.
    /// </summary>
    private sealed class InputsWriter : IDisposable
    {
        private readonly string _path, _tmp;
        private readonly int _length;
        private readonly long _dataStart;
        private readonly int _height, _width;
        private readonly bool[] _written;
        private readonly SafeFileHandle _handle;

        public InputsWriter(string path, int count, int height, int width)
        {
            _path = path;
            _tmp = path + ".tmp-" + Environment.ProcessId;
            (_height, _width, _length) = (height, width, 3 * height * width);
            _written = new bool[count];
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using (var header = NpyFile.Create(_tmp, [count, _length])) _dataStart = header.Position;
            _handle = File.OpenHandle(_tmp, FileMode.Open, FileAccess.ReadWrite);
        }

        public bool Has(int index) => Volatile.Read(ref _written[index]);

        public void Write(int index, ReadOnlySpan<float> tensor)
        {
            RandomAccess.Write(_handle, MemoryMarshal.AsBytes(tensor), _dataStart + (long)index * _length * sizeof(float));
            Volatile.Write(ref _written[index], true);
        }

        public void Finish(IReadOnlyList<int> kept)
        {
            _handle.Dispose();
            using (var output = NpyFile.Create(_path + ".part", [kept.Count, 3, _height, _width]))
            using (var input = File.OpenRead(_tmp))
            {
                var row = new byte[_length * sizeof(float)];
                foreach (var i in kept)
                {
                    input.Position = _dataStart + (long)i * row.Length;
                    input.ReadExactly(row);
                    output.Write(row);
                }
            }
            File.Move(_path + ".part", _path, overwrite: true);
            File.Delete(_tmp);
        }

        public void Dispose()
        {
            _handle.Dispose();
            if (File.Exists(_tmp)) File.Delete(_tmp);
        }
    }
}
