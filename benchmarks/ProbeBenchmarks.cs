using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.ML;
using Microsoft.ML.Data;
using TraceProbe.Common;
using TraceProbe.Probes;

namespace TraceProbe.Benchmarks;

/// <summary>A probe workload: training rows × dimension × classes (plus a fixed 5,000-row test set).</summary>
public sealed record ProbeSize(int Rows, int Dim, int Classes)
{
    public override string ToString() => $"{Rows}x{Dim}x{Classes}";
}

/// <summary>
/// Probe training on L2-normalised embeddings with a weak linear class signal: our Fast protocol (L-BFGS along
/// a regularisation path), the paper's SGD protocol, and ML.NET's LbfgsMaximumEntropy and SdcaMaximumEntropy
/// on the same data. Test accuracy is deterministic, so it is computed once per (method, size) in the host
/// process by the `top-1` column, not timed.
/// </summary>
[Config(typeof(Columns))]
[BenchmarkCategory("Probe")]
public class ProbeBenchmarks
{
    public static IEnumerable<ProbeSize> Sizes() => [new(20_000, 512, 6), new(3_000, 512, 10)];

    [ParamsSource(nameof(Sizes))]
    public ProbeSize Size { get; set; } = new(20_000, 512, 6);

    private Data _data = null!;

    [GlobalSetup]
    public void Setup() => _data = Data.Make(Size);

    [Benchmark(Baseline = true, Description = "TraceProbe Fast")]
    public object Fast() => Train("TraceProbe Fast", _data);

    [Benchmark(Description = "TraceProbe Fast, fixed λ")]
    public object FastFixed() => Train("TraceProbe Fast, fixed λ", _data);

    [Benchmark(Description = "TraceProbe Paper")]
    public object Paper() => Train("TraceProbe Paper", _data);

    [Benchmark(Description = "ML.NET LbfgsMaximumEntropy")]
    public object MlNetLbfgs() => Train("ML.NET LbfgsMaximumEntropy", _data);

    [Benchmark(Description = "ML.NET SdcaMaximumEntropy")]
    public object MlNetSdca() => Train("ML.NET SdcaMaximumEntropy", _data);

    /// <summary>Trains one method; returns something that predicts.</summary>
    private static object Train(string method, Data d) => method switch
    {
        "TraceProbe Fast" => LinearProbe.Fit(d.TrainX, d.TrainY, d.Size.Dim, d.Size.Classes, new ProbeOptions { Protocol = ProbeProtocol.Fast }),
        // The solver alone, as ML.NET's trainers run: one regularisation strength, no search.
        "TraceProbe Fast, fixed λ" => LinearProbe.Fit(d.TrainX, d.TrainY, d.Size.Dim, d.Size.Classes, new ProbeOptions { Protocol = ProbeProtocol.Fast, Lambda = 1e-4 }),
        "TraceProbe Paper" => LinearProbe.Fit(d.TrainX, d.TrainY, d.Size.Dim, d.Size.Classes, new ProbeOptions { Protocol = ProbeProtocol.Paper }),
        "ML.NET LbfgsMaximumEntropy" => d.MlNet(c => c.Trainers.LbfgsMaximumEntropy()),
        "ML.NET SdcaMaximumEntropy" => d.MlNet(c => c.Trainers.SdcaMaximumEntropy()),
        _ => throw new ArgumentException(method),
    };

    private static readonly ConcurrentDictionary<(string, ProbeSize), double> Accuracies = new();

    /// <summary>Test top-1 of a method on a size, trained once in the reporting process.</summary>
    public static double Accuracy(string method, ProbeSize size) => Accuracies.GetOrAdd((method, size), key =>
    {
        var d = Data.Make(key.Item2);
        return Train(key.Item1, d) switch
        {
            ProbeModel model => LinearProbe.Evaluate(model, d.TestX, d.TestY).Top1,
            ITransformer model => d.MlNetAccuracy(model),
            var other => throw new InvalidOperationException(other.GetType().Name),
        };
    });

    /// <summary>Gaussian classes around random means, noise large enough that no method reaches 100%.</summary>
    public sealed class Data
    {
        public required ProbeSize Size { get; init; }
        public required float[] TrainX { get; init; }
        public required int[] TrainY { get; init; }
        public required float[] TestX { get; init; }
        public required int[] TestY { get; init; }
        private readonly MLContext _ml = new(seed: 1);

        public static Data Make(ProbeSize size)
        {
            var rng = new SeededRandom(42);
            var means = new float[size.Classes * size.Dim];
            for (var i = 0; i < means.Length; i++) means[i] = (float)(Normal(rng) * 0.09);
            (float[], int[]) Rows(int n)
            {
                var x = new float[n * size.Dim];
                var y = new int[n];
                for (var r = 0; r < n; r++)
                {
                    y[r] = rng.Next(size.Classes);
                    var row = x.AsSpan(r * size.Dim, size.Dim);
                    for (var j = 0; j < size.Dim; j++) row[j] = means[y[r] * size.Dim + j] + (float)Normal(rng);
                    System.Numerics.Tensors.TensorPrimitives.Divide(row, System.Numerics.Tensors.TensorPrimitives.Norm(row), row);
                }
                return (x, y);
            }
            var (trainX, trainY) = Rows(size.Rows);
            var (testX, testY) = Rows(5_000);
            return new Data { Size = size, TrainX = trainX, TrainY = trainY, TestX = testX, TestY = testY };
        }

        private static double Normal(SeededRandom rng) =>
            Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

        private sealed class Row
        {
            public float[] Features { get; set; } = [];
            public uint Label { get; set; }
        }

        private IDataView View(float[] x, int[] y)
        {
            var schema = SchemaDefinition.Create(typeof(Row));
            schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Size.Dim);
            var rows = Enumerable.Range(0, y.Length).Select(i => new Row { Features = x.AsSpan(i * Size.Dim, Size.Dim).ToArray(), Label = (uint)y[i] }).ToList();
            return _ml.Data.LoadFromEnumerable(rows, schema);
        }

        private IDataView? _train;

        public ITransformer MlNet(Func<MulticlassClassificationCatalog, IEstimator<ITransformer>> trainer)
        {
            _train ??= _ml.Data.Cache(View(TrainX, TrainY));
            return _ml.Transforms.Conversion.MapValueToKey("Label").Append(trainer(_ml.MulticlassClassification)).Fit(_train);
        }

        public double MlNetAccuracy(ITransformer model) =>
            _ml.MulticlassClassification.Evaluate(model.Transform(View(TestX, TestY))).MicroAccuracy;
    }

    private sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(new FuncColumn("top-1", "test accuracy on 5,000 held-out rows, computed once (not timed)",
            (_, c) => Accuracy(c.Descriptor.WorkloadMethodDisplayInfo.Trim('\''), (ProbeSize)c.Parameters["Size"]).ToString("0.000")));
    }
}
