using System.Diagnostics;
using System.Globalization;

namespace TraceProbe.Benchmarks.Gate;

/// <summary>
/// What the gate measures: the published benchmarks' own set-ups and methods, called directly, each of ours
/// beside its peer (<see cref="PairedTiming"/>), and the probes' deterministic test accuracies.
/// </summary>
public static class GateSuite
{
    /// <summary>The encoder whose pipeline the gate times: the one every build installs.</summary>
    public const string Encoder = "resnet18";

    /// <summary>A ratio's name and how to set up its two sides; the cleanup runs after timing.</summary>
    public sealed record Pair(string Ratio, string Ours, string Peer, Func<(Func<object> Ours, Func<object> Peer, Action Cleanup)> SetUp);

    public static IEnumerable<Pair> Pairs()
    {
        foreach (var batch in new[] { 1, 8 })
            yield return new Pair($"pipeline ÷ raw ONNX Runtime, images/s, batch {batch}",
                $"pipeline from JPEG files, batch {batch}", $"ONNX Runtime on ready tensors, batch {batch}", () =>
                {
                    // ML.NET's featurizer is not one of the gate's peers: its set-up is skipped.
                    var b = new EmbeddingBenchmarks { Encoder = Encoder, BatchSize = batch, WithMlNetPeer = false };
                    b.Setup();
                    return (() => b.Pipeline(), () => b.RawOnnxRuntime(), b.Cleanup);
                });
        // The same at batch 8 with every photo recompressed (JPEG95_444) before the transform: the JPEG codec's cost
        // on the cores the model shares.
        yield return new Pair("pipeline with JPEG95_444 ÷ raw ONNX Runtime, images/s, batch 8",
            "pipeline from JPEG files with JPEG95_444, batch 8", "ONNX Runtime on ready tensors, batch 8 (JPEG95_444 pair)", () =>
            {
                var b = new EmbeddingBenchmarks { Encoder = Encoder, BatchSize = 8, Processing = "JPEG95_444", WithMlNetPeer = false };
                b.Setup();
                return (() => b.Pipeline(), () => b.RawOnnxRuntime(), b.Cleanup);
            });
        // Decoding: the baseline decoder against libvips, one thread (a decoder that fell back on the common file
        // would bring this to 1).
        yield return new Pair("libvips decode time ÷ our decode time, 16 photos",
            "decode, baseline decoder, 16 photos", "decode through libvips, 16 photos", () =>
            {
                var b = new PreprocessingBenchmarks();
                b.Setup();
                return (() => b.DecodeOurs(), () => b.DecodeThroughLibvips(), () => { });
            });
        // The JPEG ops' round trip without the file against libjpeg-turbo's own through a file (libvips), one thread.
        yield return new Pair("libvips file time ÷ round trip time, JPEG95_444 stage, 16 photos",
            "JPEG95_444 round trip without the file, 16 photos", "JPEG95_444 through libvips and a file, 16 photos", () =>
            {
                var b = new PreprocessingBenchmarks();
                b.Setup();
                return (() => b.JpegOurs(), () => b.JpegThroughFile(), () => { });
            });
        foreach (var size in ProbeBenchmarks.Sizes())
            yield return new Pair($"ML.NET L-BFGS time ÷ Fast probe time, {size}", $"Fast probe, {size}", $"ML.NET L-BFGS, {size}", () =>
            {
                var b = new ProbeBenchmarks { Size = size };
                b.Setup();
                return (b.Fast, b.MlNetLbfgs, () => { });
            });
        foreach (var size in NeighbourBenchmarks.Sizes())
            yield return new Pair($"per-pair Dot time ÷ blocked kNN kernel time, {size}", $"blocked kNN kernel, {size}", $"per-pair Dot, {size}", () =>
            {
                var b = new NeighbourBenchmarks { Size = size };
                b.Setup();
                return (b.BlockedTopK, () => b.PerPairDot(), () => { });
            });
    }

    // One untimed round (the JIT's first compile), then at least 5 timed rounds and 5 s per pair: on 2 shared cores
    // the medians of these moved less between runs than BenchmarkDotNet's 3 warm-ups + 5 iterations of each side.
    private const int Warmups = 1, MinRounds = 5, MaxRounds = 30;
    private const double MinSeconds = 5, WarmupSeconds = 2;

    /// <summary>Times the pairs whose ratio <paramref name="which"/> selects (all by default), and the accuracies unless told not to.</summary>
    public static GateMeasurements Measure(Action<string> log, Func<string, bool>? which = null, bool withAccuracies = true)
    {
        var ratios = new Dictionary<string, double>();
        var times = new Dictionary<string, double>();
        foreach (var pair in Pairs().Where(p => which?.Invoke(p.Ratio) ?? true))
        {
            var clock = Stopwatch.StartNew();
            var (ours, peer, cleanup) = pair.SetUp();
            PairedTiming timing;
            try
            {
                timing = PairedTiming.Run(ours, peer, Warmups, MinRounds, MinSeconds, MaxRounds, WarmupSeconds);
            }
            finally
            {
                cleanup();
            }
            ratios[pair.Ratio] = timing.Ratio;
            times[pair.Ours] = timing.OursFastest;
            times[pair.Peer] = timing.PeerFastest;
            var rounds = timing.Ours.Zip(timing.Peer, (o, p) => p / o).ToList();
            log(string.Create(CultureInfo.InvariantCulture,
                $"{pair.Ratio}: {timing.Ratio:0.###} (median of {rounds.Count} rounds, {rounds.Min():0.##}–{rounds.Max():0.##}), {clock.Elapsed.TotalSeconds:0} s"));
        }
        var accuracies = new Dictionary<string, double>();
        foreach (var size in withAccuracies ? ProbeBenchmarks.Sizes() : [])
        {
            accuracies[$"Fast probe top-1, {size}"] = ProbeBenchmarks.Accuracy("TraceProbe Fast", size);
            accuracies[$"ML.NET L-BFGS top-1, {size}"] = ProbeBenchmarks.Accuracy("ML.NET LbfgsMaximumEntropy", size);
        }
        return new GateMeasurements(ratios, accuracies, times);
    }
}
