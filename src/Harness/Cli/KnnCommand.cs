using System.CommandLine;
using TraceProbe.Experiments;
using TraceProbe.Neighbours;
using TraceProbe.Reports;
using TraceProbe.Results;

namespace TraceProbe.Cli;

/// <summary><c>traceprobe knn</c>: the kNN influence set-ups on an embeddings file of a processing task.</summary>
public static class KnnCommand
{
    /// <summary>The run's state in the output folder: a rerun after an interruption resumes from it.</summary>
    public const string StateFile = "knn-state.bin";

    public static Command Create()
    {
        var embeddings = new Option<string>("--embeddings") { Description = "An embeddings .safetensors file of a processing task (written by run, or embed + merge).", Required = true };
        var k = new Option<int>("--k") { Description = "Neighbours per query (10 as in the paper; 1 for nearest-neighbour).", DefaultValueFactory = _ => 10 };
        var seeds = new Option<int>("--uniform-seeds") { Description = "Seeds of the uniform set-up.", DefaultValueFactory = _ => 10 };
        var seed = CommonOptions.Seed();
        var output = CommonOptions.Out();
        var quiet = CommonOptions.Quiet();
        var device = CommonOptions.Device();
        var command = new Command("knn", $"Semantic kNN accuracy under the paper's set-ups ({string.Join(", ", SetupNames.Knn)}) and the distraction score, on the held-out crops of an embeddings file (on a paper-mode file: its val images against its train images, as the run), with the semantic classes the run recorded. The rows are streamed from the file; the cost and progress go to stderr, and a rerun after an interruption resumes from OUT/knn-state.bin.\n\nExample: traceprobe knn --embeddings results/embeddings/resnet18/jpeg.safetensors --k 1 --out results/knn1")
        {
            embeddings, k, seeds, seed, output, quiet, device,
        };
        command.SetAction((parse, cancel) => Task.FromResult(Execute(parse, cancel)));
        return command;

        int Execute(ParseResult parse, CancellationToken cancel)
        {
            var path = parse.GetValue(embeddings)!;
            if (!File.Exists(path)) throw new UsageException($"--embeddings '{path}' does not exist.");
            if (parse.GetValue(k) < 1) throw new UsageException($"--k {parse.GetValue(k)}: must be at least 1.");
            var options = new KnnOptions { K = parse.GetValue(k), UniformSeeds = parse.GetValue(seeds), Seed = parse.GetValue(seed) }.OnDevice(parse.GetValue(device)!);
            var outFolder = parse.GetValue(output)!;
            Directory.CreateDirectory(outFolder);
            // The cost line and progress go to stderr (stdout keeps the results); the state file lets a rerun resume.
            Action<string>? log = parse.GetValue(quiet) ? null : Console.Error.WriteLine;
            var hooks = new KnnStageHooks
            {
                Line = log,
                Progress = log is null ? null : new KnnProgressLog(log),
                StatePath = Path.Combine(outFolder, StateFile),
                // Ctrl+C stops the run between two database blocks; the passes finished so far are in the state file.
                Cancel = cancel,
            };
            var summary = EmbeddingsKnn.Run(path, options, hooks);
            var written = ReportWriter.Write(summary, outFolder);
            if (!parse.GetValue(quiet))
            {
                foreach (var r in summary.Records)
                    Console.WriteLine($"{r.Encoder}/{r.Task} {r.Setup}: {ResultText.Value(r)}");
                Console.WriteLine($"Wrote {written.SummaryPath} and {written.ReportPath}");
            }
            return ExitCodes.Success;
        }
    }
}
