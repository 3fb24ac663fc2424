using System.CommandLine;
using Spectre.Console;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Experiments;
using TraceProbe.Images;
using TraceProbe.Probes;
using TraceProbe.Reports;
using TraceProbe.Results;

namespace TraceProbe.Cli;

/// <summary><c>traceprobe run</c>: the whole suite, from photos to summary.json and report.md.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var encoders = new Option<string[]>("--encoders") { Description = "Encoder ids to run (see `traceprobe encoders`). Default: every installed encoder.", AllowMultipleArgumentsPerToken = true };
        var tasks = new Option<string[]>("--tasks") { Description = "Trace task ids. Default: every processing task in encoders.json.", AllowMultipleArgumentsPerToken = true };
        var images = new Option<string?>("--images") { Description = "Folder of source photos. Default: the photos bundled with the program." };
        var output = CommonOptions.Out();
        var seed = CommonOptions.Seed();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var models = CommonOptions.Models();
        var quiet = CommonOptions.Quiet();
        var batch = new Option<int>("--batch-size") { Description = "Images per ONNX Runtime call (models with a fixed batch of 1 run one at a time).", DefaultValueFactory = _ => 8 };
        var trainCrops = new Option<int>("--train-crops") { Description = "Random crops per training photo, each under one random class.", DefaultValueFactory = _ => new CropPlanOptions().TrainCropsPerPhoto };
        var testCrops = new Option<int>("--test-crops") { Description = "Random crops per held-out photo, each under every class.", DefaultValueFactory = _ => new CropPlanOptions().TestCropsPerPhoto };
        var protocol = new Option<ProbeProtocol>("--protocol") { Description = "Probe training: fast (default, convex full-batch solver) or paper (SGD + hyper-parameter search as in the paper).", DefaultValueFactory = _ => ProbeProtocol.Fast };

        var command = new Command("run", "Run the trace probes for the chosen encoders and tasks; writes summary.json and report.md.\n\nExample: traceprobe run --encoders resnet18 --tasks jpeg --out results")
        {
            encoders, tasks, images, output, seed, device, threads, models, batch, trainCrops, testCrops, protocol, quiet,
        };
        command.SetAction(async (parse, cancel) =>
        {
            var settings = new RunSettings
            {
                Encoders = parse.GetValue(encoders) ?? [],
                Tasks = parse.GetValue(tasks) ?? [],
                Images = parse.GetValue(images),
                Out = parse.GetValue(output)!,
                Seed = parse.GetValue(seed),
                Device = parse.GetValue(device)!,
                Threads = parse.GetValue(threads),
                Models = parse.GetValue(models),
                BatchSize = parse.GetValue(batch),
                Crops = new CropPlanOptions { TrainCropsPerPhoto = parse.GetValue(trainCrops), TestCropsPerPhoto = parse.GetValue(testCrops) },
                Protocol = parse.GetValue(protocol),
                Quiet = parse.GetValue(quiet),
            };
            return await ExecuteAsync(settings, cancel);
        });
        return command;
    }

    public sealed record RunSettings
    {
        public IReadOnlyList<string> Encoders { get; init; } = [];
        public IReadOnlyList<string> Tasks { get; init; } = [];
        public string? Images { get; init; }
        public string Out { get; init; } = "results";
        public ulong Seed { get; init; }
        public string Device { get; init; } = "cpu";
        public int Threads { get; init; }
        public string? Models { get; init; }
        public int BatchSize { get; init; } = 8;
        public CropPlanOptions Crops { get; init; } = new();
        public ProbeProtocol Protocol { get; init; }
        public bool Quiet { get; init; }
    }

    public static async Task<int> ExecuteAsync(RunSettings s, CancellationToken cancel = default)
    {
        var modelsFolder = ModelsFolder.Resolve(s.Models);
        var encoderSpecs = CommonOptions.SelectEncoders(s.Encoders, modelsFolder, s.Quiet);
        var taskSpecs = CommonOptions.SelectTasks(s.Tasks, TraceKind.Processing);
        var photos = PhotoCollection.FromFolder(s.Images ?? PhotoCollection.BundledFolder);
        var display = new ProgressDisplay(s.Quiet);
        var records = new List<SummaryRecord>();
        var skipped = new List<SkippedInput>();
        if (!s.Quiet)
            Console.WriteLine($"traceprobe run: {encoderSpecs.Count} encoder(s) × {taskSpecs.Count} task(s) on {photos.Count} photos; seed {s.Seed}; results in {Path.GetFullPath(s.Out)}");

        foreach (var spec in encoderSpecs)
        {
            using var encoder = new OnnxEncoder(spec, modelsFolder, new EncoderRuntimeOptions { Device = s.Device, IntraOpThreads = s.Threads });
            foreach (var task in taskSpecs)
            {
                var options = new ProcessingProbeOptions
                {
                    Seed = s.Seed,
                    Crops = s.Crops,
                    Probe = new ProbeOptions { Protocol = s.Protocol, Seed = s.Seed },
                    Pipeline = new EmbeddingPipelineOptions { BatchSize = s.BatchSize },
                    Cache = new EmbeddingCache(Path.Combine(s.Out, "cache")),
                };
                var outcome = await display.RunAsync($"{spec.Id}/{task.Id}",
                    progress => ProcessingProbeExperiment.RunAsync(encoder, task, photos, options, progress, cancel));
                records.AddRange(outcome.Records);
                SafetensorsFile.Write(Path.Combine(s.Out, "embeddings", spec.Id, task.Id + ".safetensors"), outcome.Embeddings);
                foreach (var skip in outcome.Skipped)
                    if (!skipped.Contains(skip)) skipped.Add(skip);
            }
        }

        var summary = new Summary
        {
            Seed = s.Seed,
            CreatedUtc = DateTimeOffset.UtcNow,
            Versions = RunEnvironment.Versions(),
            Machine = RunEnvironment.Machine(),
            Settings = new SortedDictionary<string, string>
            {
                ["images"] = s.Images is null ? "bundled photos" : Path.GetFullPath(s.Images),
                ["photos"] = photos.Count.ToString(),
                ["protocol"] = s.Protocol.ToString().ToLowerInvariant(),
                ["train_crops_per_photo"] = s.Crops.TrainCropsPerPhoto.ToString(),
                ["test_crops_per_photo"] = s.Crops.TestCropsPerPhoto.ToString(),
                ["test_fraction"] = s.Crops.TestFraction.ToString("0.###"),
                ["device"] = s.Device,
                ["batch_size"] = s.BatchSize.ToString(),
            },
            Records = records,
            Skipped = skipped,
        };
        Directory.CreateDirectory(s.Out);
        var summaryPath = Path.Combine(s.Out, "summary.json");
        var reportPath = Path.Combine(s.Out, "report.md");
        summary.Write(summaryPath);
        File.WriteAllText(reportPath, MarkdownReport.Render(summary));
        if (!s.Quiet) PrintTable(summary, summaryPath, reportPath);
        return ExitCodes.Success;
    }

    private static void PrintTable(Summary summary, string summaryPath, string reportPath)
    {
        var table = new Table().AddColumns("Encoder", "Task", "Top-1", "Mean recall", "Chance", "Train", "Test");
        foreach (var g in summary.Records.Where(r => r.Setup == "probe").GroupBy(r => (r.Encoder, r.Task)))
        {
            var top1 = g.First(r => r.Metric == "top1");
            var recall = g.First(r => r.Metric == "mean_per_class_recall");
            table.AddRow(g.Key.Encoder, g.Key.Task, $"{100 * top1.Value:0.0}%", $"{100 * recall.Value:0.0}%",
                $"{100 * top1.Chance:0.0}%", top1.NTrain.ToString(), top1.NTest.ToString());
        }
        AnsiConsole.Write(table);
        if (summary.Skipped.Count > 0)
            Console.WriteLine($"{summary.Skipped.Count} input(s) skipped; see 'skipped' in {summaryPath}.");
        Console.WriteLine($"Wrote {summaryPath} and {reportPath}");
    }
}
