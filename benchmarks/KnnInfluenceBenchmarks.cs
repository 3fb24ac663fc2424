using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using TraceProbe.Common;
using TraceProbe.Neighbours;

namespace TraceProbe.Benchmarks;

/// <summary>
/// The kNN influence run at 2,000 queries × 20,000 database items × 512 with 6 processings (JPEG's) and 10
/// uniform seeds: one pass per (p, q) pair (36 passes) against the reference's approach, one pass per
/// (test, positives, negatives) triple and per (test, seed) (276 passes), projected from one such pass
/// measured in the same run (a lower bound for the reference: where positives and negatives differ it
/// computes two similarity matrices, 456 in all). With TRACEPROBE_KNN_VERIFY=1 the set-up step also runs
/// the 156 triples the set-ups use, one full kNN each, and the "equals per-triple" column says whether every
/// per-pair accuracy equals the one-pass result exactly.
/// </summary>
[Config(typeof(Config))]
[BenchmarkCategory("Neighbours")]
public class KnnInfluenceBenchmarks
{
    private const int Queries = 2_000, Database = 20_000, Dim = 512, P = 6, Classes = 10;
    private static readonly KnnOptions Options = new() { K = 10, UniformSeeds = 10, Seed = 7 };
    // Benchmarks run in a child process: the verdict reaches the host's column through this file.
    private static readonly string VerdictFile = Path.Combine(Path.GetTempPath(), "traceprobe-knn-per-triple.txt");
    private float[] _x = [];
    private int[] _labels = [];
    private bool[] _isQuery = [];
    private float[] _referenceQueries = [];
    private float[] _referenceDb = [];
    private int[] _referenceLabels = [];

    [GlobalSetup(Target = nameof(OnePassPerPair))]
    public void SetupAndVerify()
    {
        Setup();
        if (Environment.GetEnvironmentVariable("TRACEPROBE_KNN_VERIFY") == "1") File.WriteAllText(VerdictFile, Verify());
        else File.Delete(VerdictFile);
    }

    [GlobalSetup(Target = nameof(ReferencePass))]
    public void Setup()
    {
        // Items of 10 classes, each processing shifting every item the same way: kNN accuracy is neither 0 nor 1.
        var rng = new SeededRandom(16);
        var items = Queries + Database;
        var centres = NeighbourBenchmarks.UnitRows(rng, Classes, Dim);
        var traces = NeighbourBenchmarks.UnitRows(rng, P, Dim);
        _x = NeighbourBenchmarks.UnitRows(rng, items * P, Dim);
        _labels = new int[items];
        _isQuery = new bool[items];
        for (var i = 0; i < items; i++)
        {
            _labels[i] = rng.Next(Classes);
            _isQuery[i] = i < Queries;
            for (var p = 0; p < P; p++)
            {
                var row = _x.AsSpan((i * P + p) * Dim, Dim);
                for (var t = 0; t < Dim; t++) row[t] = 0.8f * row[t] + 0.35f * centres[_labels[i] * Dim + t] + 0.3f * traces[p * Dim + t];
                System.Numerics.Tensors.TensorPrimitives.Divide(row, System.Numerics.Tensors.TensorPrimitives.Norm<float>(row), row);
            }
        }
        _referenceQueries = Gather(0, Queries, _ => 0);
        _referenceDb = Gather(Queries, Database, _ => 0);
        _referenceLabels = _labels[Queries..];
    }

    /// <summary>Every set-up from 36 (p, q) passes.</summary>
    [Benchmark(Baseline = true)]
    public KnnInfluenceResult OnePassPerPair() => KnnInfluence.Evaluate(_x, _labels.Length, P, Dim, _labels, _isQuery, Options);

    /// <summary>One of the reference's 276 passes: every query against one assembled database.</summary>
    [Benchmark]
    public int[] ReferencePass() => CosineKnn.Classify(_referenceQueries, _referenceDb, _referenceLabels, Dim, Options);

    private float[] Gather(int first, int count, Func<int, int> processingOf)
    {
        var db = new float[(long)count * Dim];
        for (var j = 0; j < count; j++) _x.AsSpan(((first + j) * P + processingOf(j)) * Dim, Dim).CopyTo(db.AsSpan(j * Dim));
        return db;
    }

    /// <summary>The set-ups' triples, one full kNN each (database assembled per query class), against the one-pass result.</summary>
    private string Verify()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var got = OnePassPerPair();
        var qLabels = _labels[..Queries];
        double Accuracy(int p, Func<int, int, int> processingOf)
        {
            var correct = 0;
            for (var c = 0; c < Classes; c++)
            {
                var members = Enumerable.Range(0, Queries).Where(i => qLabels[i] == c).ToArray();
                var queries = members.SelectMany(i => _x.AsSpan((i * P + p) * Dim, Dim).ToArray()).ToArray();
                var db = Gather(Queries, Database, j => processingOf(c, j));
                var predicted = CosineKnn.Classify(queries, db, _referenceLabels, Dim, Options);
                correct += predicted.Count(l => l == c);
            }
            return (double)correct / Queries;
        }
        var mismatches = new List<string>();
        void Check(string what, double want, double have) { if (want != have) mismatches.Add($"{what}: {want} vs {have}"); }
        var dbLabels = _referenceLabels;
        var triples = 0;
        for (var p = 0; p < P; p++)
        {
            Check($"all-same {p}", Accuracy(p, (_, _) => p), got.AllSameByProcessing[p]); triples++;
            for (var q = 0; q < P; q++)
            {
                if (q == p) continue;
                Check($"pos-same {p},{q}", Accuracy(p, (c, j) => dbLabels[j] == c ? p : q), got.PosSameByPair[p * P + q]);
                Check($"neg-same {p},{q}", Accuracy(p, (c, j) => dbLabels[j] == c ? q : p), got.NegSameByPair[p * P + q]);
                Check($"all-diff {p},{q}", Accuracy(p, (_, _) => q), got.AllDiffByPair[p * P + q]);
                triples += 3;
            }
        }
        var assignment = new int[Database];
        for (var t = 0; t < Options.UniformSeeds; t++)
        {
            KnnInfluence.UniformAssignment(Options.Seed, t, P, assignment);
            var mean = Enumerable.Range(0, P).Sum(p => Accuracy(p, (_, j) => assignment[j])) / P;
            Check($"uniform seed {t}", mean, got.UniformBySeed[t]);
            triples += P;
        }
        var verdict = mismatches.Count == 0 ? $"yes, {triples} triples" : $"NO: {string.Join("; ", mismatches.Take(3))}";
        Console.WriteLine($"// per-triple check ({clock.Elapsed.TotalSeconds:0} s): {verdict}; all-same {got.AllSame.Mean:P1}, pos-same {got.PosSame.Mean:P1}, " +
            $"neg-same {got.NegSame.Mean:P1}, all-diff {got.AllDiff.Mean:P1}, uniform {got.Uniform.Mean:P1}, distraction {got.DistractionScore:P1}");
        return verdict;
    }

    private sealed class Config : ManualConfig
    {
        private static readonly KnnCost Cost = new(Queries, Database, Dim, P, KnnInfluenceBenchmarks.Options.UniformSeeds, 1, 0, "");

        public Config()
        {
            static bool IsPair(BenchmarkCase c) => c.Descriptor.WorkloadMethod.Name == nameof(OnePassPerPair);
            AddColumn(
                new FuncColumn("passes", "similarity passes of a whole run", (_, c) => (IsPair(c) ? Cost.Passes : Cost.ReferencePasses).ToString()),
                new FuncColumn("TFLOP/run", "2·queries·database·dim per similarity matrix, times the matrices (the reference's: 456)", (_, c) => ((IsPair(c) ? Cost.Flops : Cost.ReferenceFlops) / 1e12).ToString("0.00")),
                FuncColumn.PerSecond("GFLOP/s", c => (IsPair(c) ? Cost.Flops : Cost.FlopsPerPass) / 1e9),
                new FuncColumn("run (s)", "a whole run: measured, or one reference pass × 276",
                    (s, c) => s[c]?.ResultStatistics is { } st ? (st.Mean / 1e9 * (IsPair(c) ? 1 : Cost.ReferencePasses)).ToString("0.0") : "?"),
                new FuncColumn("equals per-triple", "every set-up's accuracy per pair and seed equals the per-triple kNN's", (_, c) => !IsPair(c) ? "-" : File.Exists(VerdictFile) ? File.ReadAllText(VerdictFile) : "not run (TRACEPROBE_KNN_VERIFY=1 runs it)"));
        }
    }
}
