using System.CommandLine;
using TraceProbe.Embeddings;
using TraceProbe.Experiments;
using TraceProbe.Neighbours;
using TraceProbe.Reports;
using TraceProbe.Results;

namespace TraceProbe.Cli;

/// <summary><c>traceprobe knn</c>: the kNN influence set-ups on an embeddings file of a processing task.</summary>
public static class KnnCommand
{
    public static Command Create()
    {
        var embeddings = new Option<string>("--embeddings") { Description = "An embeddings .safetensors file of a processing task (written by run, or embed + merge).", Required = true };
        var k = new Option<int>("--k") { Description = "Neighbours per query (10 as in the paper; 1 for nearest-neighbour).", DefaultValueFactory = _ => 10 };
        var seeds = new Option<int>("--uniform-seeds") { Description = "Seeds of the uniform set-up.", DefaultValueFactory = _ => 10 };
        var seed = CommonOptions.Seed();
        var output = CommonOptions.Out();
        var quiet = CommonOptions.Quiet();
        var command = new Command("knn", "Semantic kNN accuracy under the paper's five set-ups (all-same, pos-same, neg-same, all-diff, uniform) and the distraction score, on the held-out crops of an embeddings file; each photo is a semantic class.\n\nExample: traceprobe knn --embeddings results/embeddings/resnet18/jpeg.safetensors --k 1 --out results/knn1")
        {
            embeddings, k, seeds, seed, output, quiet,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(embeddings)!;
            if (!File.Exists(path)) throw new UsageException($"--embeddings '{path}' does not exist.");
            if (parse.GetValue(k) < 1) throw new UsageException($"--k {parse.GetValue(k)}: must be at least 1.");
            var options = new KnnOptions { K = parse.GetValue(k), UniformSeeds = parse.GetValue(seeds), Seed = parse.GetValue(seed) };
            var summary = EmbeddingsKnn.Run(EmbeddingsFile.Read(path), options);
            var written = ReportWriter.Write(summary, parse.GetValue(output)!);
            if (!parse.GetValue(quiet))
            {
                foreach (var r in summary.Records)
                    Console.WriteLine($"{r.Encoder}/{r.Task} {r.Setup}: {100 * r.Value:0.0}%{(r.Std is { } s ? $" ± {100 * s:0.0}" : "")}");
                Console.WriteLine($"Wrote {written.SummaryPath} and {written.ReportPath}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
