using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TraceProbe.Common;

namespace TraceProbe.Encoders;

/// <summary>Execution settings for ONNX Runtime.</summary>
public sealed record EncoderRuntimeOptions
{
    /// <summary>Intra-op threads of the encoder's one run; 0 (the default) runs one single-threaded run per core
    /// (<see cref="EncoderRuns"/>).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Runs at once on the CPU; 0 (the default) takes one per core, at most <see cref="EncoderRuns.MaxCpuRuns"/>.
    /// Embeddings do not depend on it: every batch is the same batch in whichever run computes it.</summary>
    public int Runs { get; init; }

    /// <summary>"cpu" or "cuda[:N]".</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Rewrite a fixed batch dimension to a symbolic one (verified on load) so that batches run in one call.</summary>
    public bool AllowBatchRewrite { get; init; } = true;

    /// <summary>Where notable decisions (such as a batch-size fallback) are logged.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>
/// Runs one registered encoder through ONNX Runtime and returns its (optionally L2-normalised) embeddings.
/// Checks the ONNX file against the registry entry so that a wrong name or size is reported precisely.
/// </summary>
public sealed class OnnxEncoder : IDisposable
{
    private InferenceSession _session;
    private int[] _inputShape;
    private readonly InputLayout _layout;
    private readonly InputDType _dtype;
    private readonly RunOptions _runOptions = new();

    public OnnxEncoder(EncoderSpec spec, string modelsFolder, EncoderRuntimeOptions? options = null)
    {
        Spec = spec;
        options ??= new EncoderRuntimeOptions();
        var cuda = ComputeDevice.Parse(options.Device).IsCuda;
        CpuThreads = cuda ? 1 : options.IntraOpThreads > 0 ? options.IntraOpThreads : Environment.ProcessorCount;
        Runs = EncoderRuns.For(Environment.ProcessorCount, options.IntraOpThreads, cuda, options.Runs);
        _layout = spec.Input.Layout;
        _dtype = spec.Input.DType;
        var path = ModelsFolder.PathOf(spec, modelsFolder);
        if (!File.Exists(path)) throw new EncoderNotInstalledException(spec, path);
        ModelPath = path;
        if (spec.Model.Sha256 is { Length: > 0 } expected && !string.Equals(ModelHash.Sha256(path), expected, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException(
                $"Encoder '{spec.Id}': {ModelHash.Describe(path)} has SHA-256 {ModelHash.Sha256(path)}, but encoders.json expects {expected}. " +
                "Re-export the model, or update model.sha256 if the new file is intended.");
        _session = new InferenceSession(path, CreateSessionOptions(options, Runs.SessionThreads));
        _inputShape = ValidateAgainstModel();
        // dynamic_batch: true asks for batches, so a fixed batch axis is made symbolic (and checked);
        // false runs the graph as written: at its fixed batch size, or one image at a time.
        if (_inputShape[0] > 0 && spec.Input.DynamicBatch && options.AllowBatchRewrite)
        {
            if (TryRewriteBatch(path, options, out var rewritten, out var why))
            {
                _session.Dispose();
                _session = rewritten;
                _inputShape = [-1, .. _inputShape[1..]];
            }
            else
            {
                options.Log?.Invoke($"{spec.Id}: batch dimension is fixed at {_inputShape[0]} and cannot be made symbolic safely ({why}); running {_inputShape[0]} image(s) per call.");
            }
        }
        BatchSize = _inputShape[0] > 0 ? _inputShape[0] : spec.Input.DynamicBatch ? 0 : 1;
        MeanImage = spec.Preprocessing.MeanImageModel is { } meanModel
            ? LoadMeanImage(Path.Combine(modelsFolder, meanModel), options)
            : null;
    }

    public EncoderSpec Spec { get; }
    public string ModelPath { get; }
    public int Dim => Spec.Output.Dim;
    public int InputLength => 3 * Spec.Input.Height * Spec.Input.Width;

    /// <summary>True when the encoder runs a fixed number of images per call (the file's batch size, or 1 for dynamic_batch: false).</summary>
    public bool BatchDimensionIsFixed => BatchSize > 0;

    /// <summary>Images per call when fixed; 0 when any batch runs in one call.</summary>
    public int BatchSize { get; }

    /// <summary>CPU threads a run keeps busy: the intra-op threads (one per core unless set), or the one thread feeding a
    /// CUDA device.</summary>
    public int CpuThreads { get; }

    /// <summary>How many <see cref="Embed"/> calls may run at once, and on how many threads each: callers that
    /// embed many batches run <see cref="EncoderRuns.Runs"/> of them concurrently.</summary>
    public EncoderRuns Runs { get; }

    /// <summary>Planar mean image for raw-pixel encoders, null otherwise.</summary>
    public float[]? MeanImage { get; }

    internal static SessionOptions CreateSessionOptions(EncoderRuntimeOptions options, int intraOpThreads)
    {
        var so = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
        };
        // Spinning threads fight the decoding/processing threads for the cores and halve throughput.
        so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        var device = ComputeDevice.Parse(options.Device);
        if (device.IsCuda)
        {
            try
            {
                so.AppendExecutionProvider_CUDA(device.Id);
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                throw new InvalidOperationException(
                    $"--device {options.Device}: the CUDA execution provider could not be loaded ({e.Message}). " +
                    "Install CUDA 12 and cuDNN 9 where ONNX Runtime can find them, or use --device cpu.", e);
            }
        }
        return so;
    }

    private bool TryRewriteBatch(string path, EncoderRuntimeOptions options, out InferenceSession rewritten, out string why)
    {
        rewritten = null!;
        if (ModelHash.ExternalDataFiles(path).Count > 0)
        {
            why = "its weights are in external data files, which a model loaded from memory cannot find";
            return false;
        }
        rewritten = new InferenceSession(BatchDimension.MakeSymbolic(path), CreateSessionOptions(options, Runs.SessionThreads));
        if (BatchesAgreeWithSingleRuns(rewritten, out why)) return true;
        rewritten.Dispose();
        return false;
    }

    /// <summary>A batch of 2 must give what two runs of 1 give, else the rewrite broke a shape constant.</summary>
    private bool BatchesAgreeWithSingleRuns(InferenceSession session, out string why)
    {
        var n = InputLength;
        var rng = new Common.SeededRandom(1);
        var data = new float[2 * n];
        for (var i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        try
        {
            var both = Run(session, data, 2);
            var first = Run(session, data.AsSpan(0, n), 1);
            var second = Run(session, data.AsSpan(n), 1);
            if (both.Length != first.Length + second.Length) { why = "batched output has the wrong size"; return false; }
            var scale = Math.Max(1e-6f, TensorPrimitives.MaxMagnitude(both));
            for (var i = 0; i < first.Length; i++)
                if (Math.Abs(both[i] - first[i]) > 1e-4f * scale || Math.Abs(both[first.Length + i] - second[i]) > 1e-4f * scale)
                { why = "batched outputs differ from single runs"; return false; }
            why = "";
            return true;
        }
        catch (OnnxRuntimeException e)
        {
            why = e.Message;
            return false;
        }
    }

    /// <summary>Runs <paramref name="count"/> planar float32 images, fed in the graph's layout and type; the output as float32.</summary>
    private float[] Run(InferenceSession session, ReadOnlySpan<float> planar, int count)
    {
        using var input = InputFeed.Create(planar, count, Spec.Input.Height, Spec.Input.Width, _layout, _dtype);
        using var results = session.Run(_runOptions, [Spec.Input.Name], [input], [Spec.Output.Name]);
        var output = new float[results[0].GetTensorTypeAndShape().ElementCount];
        InputFeed.ReadOutput(results[0], output);
        return output;
    }

    private int[] ValidateAgainstModel()
    {
        var problems = new List<string>();
        int[] shape = [];
        if (!_session.InputMetadata.TryGetValue(Spec.Input.Name, out var input))
            problems.Add($"input '{Spec.Input.Name}' not found (model inputs: {string.Join(", ", _session.InputMetadata.Keys)})");
        else
        {
            shape = input.Dimensions;
            var expected = InputFeed.Shape(_layout, 1, Spec.Input.Height, Spec.Input.Width);
            if (shape.Length != 4) problems.Add($"input '{Spec.Input.Name}' has rank {shape.Length}, expected 4 ({_layout})");
            else if (Enumerable.Range(1, 3).Any(i => shape[i] != expected[i]))
                problems.Add($"input '{Spec.Input.Name}' is [{string.Join(",", shape)}], expected [N,{string.Join(",", expected[1..])}] (input.layout {_layout})");
            if (input.ElementType != InputFeed.ElementType(_dtype))
                problems.Add($"input '{Spec.Input.Name}' takes {ElementName(input.ElementType)}, but input.dtype is '{RegistryVocabulary.DTypes[(int)Spec.Input.DType]}'");
        }
        if (!_session.OutputMetadata.TryGetValue(Spec.Output.Name, out var output))
            problems.Add($"output '{Spec.Output.Name}' not found (model outputs: {string.Join(", ", _session.OutputMetadata.Keys)})");
        else
        {
            var features = output.Dimensions.Skip(1).Aggregate(1L, (a, d) => a * Math.Max(d, 1));
            if (features != Spec.Output.Dim)
                problems.Add($"output '{Spec.Output.Name}' is [{string.Join(",", output.Dimensions)}] ({features} values per image), expected dim {Spec.Output.Dim}");
        }
        if (problems.Count > 0)
            throw new InvalidDataException($"Encoder '{Spec.Id}' does not match {ModelPath}: {string.Join("; ", problems)}. Fix its entry in encoders.json.");
        return shape;
    }

    private static string ElementName(Type type) =>
        type == typeof(float) ? "float32" : type == typeof(Float16) ? "float16" : type == typeof(byte) ? "uint8" : type.Name;

    /// <summary>The mean image is the negated output of the package's preprocessing model on a black image.</summary>
    private float[] LoadMeanImage(string path, EncoderRuntimeOptions options)
    {
        if (!File.Exists(path)) throw new EncoderNotInstalledException(Spec, path);
        using var so = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(path, so);
        var name = session.InputMetadata.Keys.First();
        var zeros = new DenseTensor<float>([1, 3, Spec.Input.Height, Spec.Input.Width]);
        using var result = session.Run([NamedOnnxValue.CreateFromTensor(name, zeros)]);
        var mean = result.First().AsEnumerable<float>().ToArray();
        TensorPrimitives.Negate(mean, mean);
        return mean;
    }

    /// <summary>Embeds <paramref name="count"/> planar input tensors laid end to end; writes [count, Dim] embeddings.
    /// Up to <see cref="Runs"/> calls may run at once, from different threads.</summary>
    public void Embed(ReadOnlySpan<float> inputs, int count, Span<float> embeddings)
    {
        if (inputs.Length < count * InputLength) throw new ArgumentException("Input span too small.", nameof(inputs));
        if (embeddings.Length < count * Dim) throw new ArgumentException("Embedding span too small.", nameof(embeddings));
        var batch = BatchDimensionIsFixed ? BatchSize : Math.Max(count, 1);
        for (var start = 0; start < count; start += batch)
        {
            var n = Math.Min(batch, count - start);
            var chunk = inputs.Slice(start * InputLength, n * InputLength);
            var output = n < batch && BatchDimensionIsFixed
                ? Run(_session, Padded(chunk, batch), batch)[..(n * Dim)]  // a graph fixed at N > 1 takes exactly N
                : Run(_session, chunk, n);
            if (output.Length != n * Dim)
                throw new InvalidDataException($"Encoder '{Spec.Id}': output '{Spec.Output.Name}' gave {output.Length} values for {n} images, expected {n * Dim}.");
            var dest = embeddings.Slice(start * Dim, n * Dim);
            output.CopyTo(dest);
            if (Spec.L2Normalize)
                for (var r = 0; r < n; r++) L2Normalize(dest.Slice(r * Dim, Dim));
        }
    }

    private float[] Padded(ReadOnlySpan<float> chunk, int batch)
    {
        var padded = new float[batch * InputLength];
        chunk.CopyTo(padded);
        return padded;
    }

    public static void L2Normalize(Span<float> row)
    {
        var norm = TensorPrimitives.Norm(row);
        if (norm > 0) TensorPrimitives.Divide(row, norm, row);
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
