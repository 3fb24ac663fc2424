using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using TraceProbe.Probes;

namespace TraceProbe.Benchmarks;

/// <summary>
/// One epoch of the paper probe's SGD (batches of 1,024 rows of a fresh shuffle, logits, softmax, gradient, momentum
/// step) at ImageNet's scale: 1,281,167 training rows × 768 dimensions × 6 classes, 3.7 GiB of rows, as paper mode
/// holds one class draw of the training images. Its peer in the same run is the memory-bandwidth bound: one read of
/// the same rows by the same two threads (a sum), which no epoch can beat since it must read every row once.
/// `rows/s` is training rows per second for both.
/// </summary>
[Config(typeof(Columns))]
[BenchmarkCategory("Probe", "Scale")]
public class PaperProbeEpochBenchmarks
{
    public const int Rows = 1_281_167, Dim = 768, Classes = 6;

    private float[] _x = [];
    private int[] _y = [];

    [GlobalSetup]
    public void Setup()
    {
        _x = new float[(long)Rows * Dim];
        _y = new int[Rows];
        // Random unit rows with a weak class signal; a cheap generator, so that setting up 1 billion floats takes seconds.
        Parallel.For(0, Environment.ProcessorCount, part =>
        {
            var state = (uint)(part * 2654435761u + 1);
            for (long r = part; r < Rows; r += Environment.ProcessorCount)
            {
                var row = _x.AsSpan((int)(r * Dim), Dim);
                for (var d = 0; d < Dim; d++)
                {
                    state ^= state << 13; state ^= state >> 17; state ^= state << 5;
                    row[d] = state / (float)uint.MaxValue - 0.5f;
                }
                _y[r] = (int)(r % Classes);
                row[_y[r]] += 0.3f;
                TensorPrimitives.Divide(row, TensorPrimitives.Norm(row), row);
            }
        });
    }

    [Benchmark(Description = "paper probe, one SGD epoch")]
    public ProbeModel Epoch() => LinearProbe.Fit(_x, _y, Dim, Classes,
        new ProbeOptions { Protocol = ProbeProtocol.Paper, Epochs = 1, LearningRate = 1, WeightDecay = 1e-6 });

    [Benchmark(Baseline = true, Description = "bandwidth bound: read every row once")]
    public double ReadOnce()
    {
        // The epoch's two threads, each summing a contiguous half: the fastest the rows can be read here.
        var threads = Environment.ProcessorCount;
        var sums = new double[threads];
        var per = ((long)Rows + threads - 1) / threads;
        Parallel.For(0, threads, t =>
        {
            long start = t * per, end = Math.Min(Rows, start + per);
            double sum = 0;
            for (var r = start; r < end; r += 4096)
                sum += TensorPrimitives.Sum(_x.AsSpan((int)(r * Dim), (int)(Math.Min(4096, end - r) * Dim)));
            sums[t] = sum;
        });
        return sums.Sum();
    }

    private sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(FuncColumn.PerSecond("rows/s", _ => Rows));
    }
}
