namespace TraceProbe.Neighbours;

/// <summary>Computes one (p, q) pass's lists: on the CPU kernel, or as an ONNX graph through ONNX Runtime.</summary>
internal abstract class PairEngine : IDisposable
{
    public static PairEngine Create(KnnDevice device, int deviceId, int k, int seeds) => device switch
    {
        KnnDevice.Cpu => new CpuPairEngine(seeds),
        _ => new OnnxPairEngine(device, deviceId, k, seeds),
    };

    /// <summary>See <see cref="PairPass.Run"/>; <paramref name="queries"/> may hold more rows than labels (a reused buffer).</summary>
    public abstract void Run(float[] queries, int[] queryLabels, IProcessedRows database, int q, int[] databaseLabels,
        ulong[] seedMasks, TopKHeaps lists, int maxDegreeOfParallelism, Action<int>? afterBlock);

    public virtual void Dispose() { }

    private sealed class CpuPairEngine(int seeds) : PairEngine
    {
        private readonly PairPass.PassBuffers _buffers = new();

        public override void Dispose() => _buffers.Dispose();

        public override void Run(float[] queries, int[] queryLabels, IProcessedRows database, int q, int[] databaseLabels,
            ulong[] seedMasks, TopKHeaps lists, int maxDegreeOfParallelism, Action<int>? afterBlock) =>
            PairPass.Run(queries, queryLabels, database, q, databaseLabels, seedMasks, seeds, lists, maxDegreeOfParallelism, afterBlock, _buffers);
    }
}
