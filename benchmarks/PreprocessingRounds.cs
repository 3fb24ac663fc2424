using System.Diagnostics;
using System.Globalization;

namespace TraceProbe.Benchmarks;

/// <summary>
/// `preprocessing-rounds [ROUNDS]`: our four preprocessing stages timed as tools/reference_speed.py times the
/// reference's (one warm-up round, then ROUNDS rounds over the 16 photos; mean and fastest round per item), printed in
/// its table's layout, so that the two can be run alternately within a minute on shared cores: the fairest side by
/// side this machine allows (BenchmarkDotNet's run of <see cref="PreprocessingBenchmarks"/> takes minutes).
/// </summary>
public static class PreprocessingRounds
{
    public static int Run(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
        var b = new PreprocessingBenchmarks();
        b.Setup();
        const int images = EmbeddingBenchmarks.Images;
        (string Name, Func<int> Work, int Items)[] stages =
        [
            ("decode", b.DecodeOurs, images),
            ("decode, libvips", b.DecodeThroughLibvips, images),
            ("JPEG95_444 stage", b.JpegOurs, images),
            ("JPEG95_444 stage, libvips file", b.JpegThroughFile, images),
            ("transform", b.TransformOurs, images),
            ("JPEG task, per (image, processing)", b.JpegTaskOurs, images * 6),
            ("JPEG task, libvips file", b.JpegTaskThroughFile, images * 6),
        ];
        Console.WriteLine($"TraceProbe (libvips {NetVips.NetVips.Version(0)}.{NetVips.NetVips.Version(1)}, one thread); {images} photos, {rounds} rounds");
        Console.WriteLine($"| {"stage",-36} | ms/image | images/s | fastest ms/image | fastest images/s |");
        Console.WriteLine($"|{new string('-', 38)}|---------:|---------:|-----------------:|-----------------:|");
        foreach (var (name, work, items) in stages)
        {
            work();
            var times = new double[rounds];
            for (var r = 0; r < rounds; r++)
            {
                var clock = Stopwatch.StartNew();
                work();
                times[r] = clock.Elapsed.TotalSeconds / items;
            }
            double mean = times.Average(), best = times.Min();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name,-36} | {mean * 1e3,8:0.00} | {1 / mean,8:0.0} | {best * 1e3,16:0.00} | {1 / best,16:0.0} |"));
        }
        return 0;
    }
}
