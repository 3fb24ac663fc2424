using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace TraceProbe.Neighbours;

/// <summary>
/// One (p, q) pass as an ONNX graph built in code and run by ONNX Runtime, so that a GPU computes the
/// similarities and the top-k: Gemm(queries, databaseᵀ), then, through masks of −∞, the top-k of the
/// query's own class, of the other classes and of each uniform seed's share, in one TopK over a
/// [queries, 2 + seeds, rows] stack. Only those k per list come back to the CPU, where they enter the
/// same lists as the CPU kernel's candidates. Similarities differ from the CPU kernel's only by float
/// rounding (a different summation order).
/// </summary>
internal sealed class OnnxPairEngine : PairEngine
{
    private readonly InferenceSession _session;
    private readonly int _k;
    private readonly int _seeds;
    private readonly int _queryChunk;

    public OnnxPairEngine(KnnDevice device, int deviceId, int k, int seeds)
    {
        _k = k;
        _seeds = seeds;
        // The [chunk, 2 + seeds, 4096] stack is the graph's largest tensor: ~50 MB at 256 queries and 10 seeds.
        _queryChunk = device == KnnDevice.Cuda ? 1024 : 256;
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        if (device == KnnDevice.Cuda)
        {
            try
            {
                using var cuda = new OrtCUDAProviderOptions();
                // TF32 would round the inputs to 10-bit mantissas: keep full fp32 so results match the CPU's.
                cuda.UpdateOptions(new Dictionary<string, string> { ["device_id"] = deviceId.ToString(), ["use_tf32"] = "0" });
                options.AppendExecutionProvider_CUDA(cuda);
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                throw new InvalidOperationException(
                    $"--device cuda:{deviceId}: the CUDA execution provider could not be loaded ({e.Message}). " +
                    "Install CUDA 12 and cuDNN 9 where ONNX Runtime can find them, or use --device cpu.", e);
            }
        }
        _session = new InferenceSession(BuildGraph(seeds).ToByteArray(), options);
    }

    /// <summary>
    /// Inputs: queries [b, d], database [n, d], query_labels int64 [b, 1], database_labels int64 [1, n],
    /// seed_masks bool [seeds, n], k int64 [1]. Outputs: values and indices [b, 2 + seeds, k].
    /// </summary>
    internal static ModelProto BuildGraph(int seeds)
    {
        var g = new GraphProto { Name = "knn_pair_lists" };
        g.Input.Add(Value("queries", TensorProto.Types.DataType.Float, "b", "d"));
        g.Input.Add(Value("database", TensorProto.Types.DataType.Float, "n", "d"));
        g.Input.Add(Value("query_labels", TensorProto.Types.DataType.Int64, "b", 1));
        g.Input.Add(Value("database_labels", TensorProto.Types.DataType.Int64, 1, "n"));
        g.Input.Add(Value("seed_masks", TensorProto.Types.DataType.Bool, seeds, "n"));
        g.Input.Add(Value("k", TensorProto.Types.DataType.Int64, 1));
        g.Output.Add(Value("values", TensorProto.Types.DataType.Float, "b", 2 + seeds, "k"));
        g.Output.Add(Value("indices", TensorProto.Types.DataType.Int64, "b", 2 + seeds, "k"));
        g.Initializer.Add(new TensorProto { Name = "minus_inf", DataType = (int)TensorProto.Types.DataType.Float, FloatData = { float.NegativeInfinity } });
        g.Initializer.Add(new TensorProto { Name = "axis_1", DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 1 }, Int64Data = { 1 } });

        g.Node.Add(Node("Gemm", ["queries", "database"], ["sims"], Int("transB", 1)));                 // [b, n]
        g.Node.Add(Node("Equal", ["query_labels", "database_labels"], ["own_class"]));                 // [b, n]
        g.Node.Add(Node("Where", ["own_class", "sims", "minus_inf"], ["own"]));
        g.Node.Add(Node("Where", ["own_class", "minus_inf", "sims"], ["other"]));
        g.Node.Add(Node("Unsqueeze", ["own", "axis_1"], ["own_3d"]));                                   // [b, 1, n]
        g.Node.Add(Node("Unsqueeze", ["other", "axis_1"], ["other_3d"]));
        g.Node.Add(Node("Unsqueeze", ["sims", "axis_1"], ["sims_3d"]));
        g.Node.Add(Node("Where", ["seed_masks", "sims_3d", "minus_inf"], ["seeded"]));                  // [b, seeds, n]
        g.Node.Add(Node("Concat", ["own_3d", "other_3d", "seeded"], ["lists"], Int("axis", 1)));         // [b, 2 + seeds, n]
        // TopK (sorted, largest): equal values keep the lower index first, the CPU lists' order.
        g.Node.Add(Node("TopK", ["lists", "k"], ["values", "indices"], Int("axis", -1), Int("largest", 1), Int("sorted", 1)));

        var model = new ModelProto { IrVersion = 8, ProducerName = "traceprobe", Graph = g };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model;
    }

    public override void Run(float[] queries, int[] queryLabels, IProcessedRows database, int q, int[] databaseLabels,
        ulong[] seedMasks, TopKHeaps lists, int maxDegreeOfParallelism, Action<int>? afterBlock)
    {
        var nq = queryLabels.Length;
        var dim = database.Dim;
        var per = PairLists.Count(_seeds);
        var blockRows = Math.Min(BlockedSimilarity.DatabaseBlock, database.Count);
        var rows = new float[blockRows * dim];
        for (var j0 = 0; j0 < database.Count; j0 += blockRows)
        {
            var n = Math.Min(blockRows, database.Count - j0);
            database.Read(q, j0, n, rows);
            var dbLabels = new long[n];
            var masks = new bool[_seeds * n];
            for (var j = 0; j < n; j++)
            {
                dbLabels[j] = databaseLabels[j0 + j];
                for (var t = 0; t < _seeds; t++) masks[t * n + j] = (seedMasks[j0 + j] >> t & 1) != 0;
            }
            var k = Math.Min(_k, n);
            using var dbValue = OrtValue.CreateTensorValueFromMemory(rows, [n, dim]);
            using var labelValue = OrtValue.CreateTensorValueFromMemory(dbLabels, [1, n]);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(masks, [_seeds, n]);
            using var kValue = OrtValue.CreateTensorValueFromMemory(new long[] { k }, [1]);
            for (var i0 = 0; i0 < nq; i0 += _queryChunk)
            {
                var b = Math.Min(_queryChunk, nq - i0);
                var qLabels = new long[b];
                for (var i = 0; i < b; i++) qLabels[i] = queryLabels[i0 + i];
                using var qValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, queries.AsMemory(i0 * dim, b * dim), [b, dim]);
                using var qLabelValue = OrtValue.CreateTensorValueFromMemory(qLabels, [b, 1]);
                using var outputs = _session.Run(new RunOptions(),
                    ["queries", "database", "query_labels", "database_labels", "seed_masks", "k"],
                    [qValue, dbValue, qLabelValue, labelValue, maskValue, kValue], ["values", "indices"]);
                var values = outputs[0].GetTensorDataAsSpan<float>();
                var indices = outputs[1].GetTensorDataAsSpan<long>();
                for (var i = 0; i < b; i++)
                    for (var h = 0; h < per; h++)
                        for (var e = 0; e < k; e++)
                        {
                            var at = (i * per + h) * k + e;
                            // −∞ marks a masked entry: a list with fewer than k candidates in this block.
                            if (float.IsNegativeInfinity(values[at])) break;
                            lists.Offer((i0 + i) * per + h, values[at], j0 + (int)indices[at]);
                        }
            }
            afterBlock?.Invoke(j0 + n);
        }
    }

    public override void Dispose() => _session.Dispose();

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d) });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = outputs[0] + "_" + op };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
}
