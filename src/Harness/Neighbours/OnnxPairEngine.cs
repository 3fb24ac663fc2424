namespace TraceProbe.Neighbours;

internal sealed class OnnxPairEngine(KnnDevice device, int k, int seeds) : PairEngine
{
    public override void Run(float[] queries, int[] queryLabels, IProcessedRows database, int q, int[] databaseLabels,
        ulong[] seedMasks, TopKHeaps lists, int maxDegreeOfParallelism, Action<int>? afterBlock) => throw new NotImplementedException();
}
