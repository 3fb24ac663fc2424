using TraceProbe.Datasets;
using TraceProbe.Acquisition;
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
        var job = new JobOptions();
        var protocol = new Option<ProbeProtocol>("--protocol") { Description = "Probe training: Fast (default; full-batch L-BFGS along a regularisation path) or Paper (SGD with momentum and a hyper-parameter search, as in the paper).", DefaultValueFactory = _ => ProbeProtocol.Fast };
        var seeds = new Option<int?>("--probe-seeds") { Description = "Probes trained per task with seeds seed, seed+1, …, reported as mean ± std. Default: 1 (Fast), 10 (Paper)." };
        var mask = new Option<double?>("--mask-ratio") { Description = "Area ratio of the centre mask in acquisition probes (0.9 as the paper's text; 0.95 as its code; 0: unmasked, as the reference's plain extraction). Default: each task's." };
        var knnK = new Option<int>("--knn-k") { Description = "Neighbours in the kNN influence set-ups (all-same, pos-same, neg-same, all-diff, uniform); 0 skips them.", DefaultValueFactory = _ => 10 };
        var erase = new Option<string[]>("--erase") { Description = "Task ids whose trace is also erased from the embeddings (closed-form LEACE), then probed and kNN-tested again, e.g. --erase jpeg.", AllowMultipleArgumentsPerToken = true };
        var skip = new Option<bool>("--skip-existing") { Description = "Keep the records of OUT/summary.json for (encoder, task) pairs it already has." };
        var command = new Command("run", "Run the trace probes for the chosen encoders and tasks; writes summary.json, report.md and the embeddings. Finished embeddings are cached under --out, so an interrupted run resumes.\n\nExample: traceprobe run --encoders resnet18 --tasks jpeg --out results");
        job.AddTo(command);
        command.Options.Add(protocol);
        command.Options.Add(seeds);
        command.Options.Add(skip);
        command.Options.Add(knnK);
        command.Options.Add(mask);
        command.Options.Add(erase);
        command.SetAction(async (parse, cancel) => await ExecuteAsync(job.Read(parse) with
        {
            Protocol = parse.GetValue(protocol),
            ProbeSeeds = parse.GetValue(seeds),
            SkipExisting = parse.GetValue(skip),
            KnnK = parse.GetValue(knnK),
            MaskRatio = parse.GetValue(mask) is { } r && r is < 0 or >= 1 ? throw new UsageException($"--mask-ratio {r}: must be 0 (unmasked) or in (0, 1).") : parse.GetValue(mask),
            Erase = (parse.GetValue(erase) ?? []).SelectMany(e => e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
        }, cancel));
        return command;
    }

    public static async Task<int> ExecuteAsync(JobSettings s, CancellationToken cancel = default)
    {
        var modelsFolder = ModelsFolder.Resolve(s.Models);
        var encoderSpecs = CommonOptions.SelectEncoders(s.Encoders, modelsFolder, s.Quiet);
        var allTasks = CommonOptions.SelectTasks(s.Tasks, kind: null);
        var taskSpecs = allTasks.Where(t => t.Kind == TraceKind.Processing).ToList();
        var acquisitionTasks = allTasks.Where(t => t.Kind == TraceKind.Acquisition).ToList();
        foreach (var id in s.Erase.Where(e => !taskSpecs.Any(t => t.Id.Equals(e, StringComparison.OrdinalIgnoreCase))))
            throw new UsageException($"--erase {id}: not one of the tasks being run ({string.Join(", ", taskSpecs.Select(t => t.Id))}).");
        var dataset = DatasetLoader.Open(s.Images ?? PhotoCollection.BundledFolder);
        var photos = dataset.Photos;
        // Acquisition labels come from the dataset's table, else from the photos' EXIF; by default the acquisition
        // tasks run when some photo has a camera make.
        // A task with a published split takes its labels from it: EXIF is read only for the others.
        bool Published(TraceTaskSpec t) => dataset.Splits?.ContainsKey(t.Attribute!) == true;
        var (exif, exifSkipped) = dataset.AcquisitionLabels is null && acquisitionTasks.Any(t => !Published(t)) ? ExifReader.ReadAll(photos.Select(p => p.Path)) : ([], []);
        var byPath = exif.ToDictionary(l => l.Path);
        var labels = dataset.AcquisitionLabels ?? photos.Select(p => byPath.GetValueOrDefault(p.Path)).ToList();
        if (s.Tasks.Count == 0 && labels.All(l => l?.Make is null)) acquisitionTasks.RemoveAll(t => !Published(t));
        var display = new ProgressDisplay(s.Quiet);
        var records = new List<SummaryRecord>();
        var skipped = dataset.Skipped.ToList();
        var existing = s.SkipExisting ? ExistingRecords(s.Out) : [];
        var notes = new List<string>();
        if (!s.Quiet)
            Console.WriteLine($"traceprobe run: {encoderSpecs.Count} encoder(s) × {taskSpecs.Count + acquisitionTasks.Count} task(s) on {photos.Count} photos; seed {s.Seed}; results in {Path.GetFullPath(s.Out)}");

        var cache = new EmbeddingCache(Path.Combine(s.Out, "cache"));
        foreach (var spec in encoderSpecs)
        {
            // --skip-existing: an (encoder, task) with records in the old summary keeps them.
            var todo = new List<TraceTaskSpec>();
            foreach (var task in taskSpecs.Concat(acquisitionTasks))
            {
                var kept = existing.Where(r => r.Encoder == spec.Id && r.Task == task.Id).ToList();
                records.AddRange(kept);
                if (kept.Count == 0) todo.Add(task);
                else if (!s.Quiet) Console.WriteLine($"{spec.Id}/{task.Id}: kept {kept.Count} record(s) from the existing summary (--skip-existing).");
            }
            if (todo.Count == 0) continue;
            using var encoder = CommonOptions.OpenEncoder(spec, modelsFolder, s.Device, s.Threads, s.Quiet);
            foreach (var task in todo)
            {
                var outcome = await display.RunAsync($"{spec.Id}/{task.Id}", async progress => task.Kind == TraceKind.Processing
                    ? await ProcessingProbeExperiment.RunAsync(encoder, task, photos, ProcessingOptionsOf(s, cache) with
                    {
                        Erase = s.Erase.Contains(task.Id, StringComparer.OrdinalIgnoreCase),
                        SemanticLabels = dataset.SemanticLabels,
                    }, progress, cancel)
                    : await AcquisitionProbeExperiment.RunAsync(encoder, task, photos, labels, AcquisitionOptionsOf(s, cache) with
                    {
                        GivenSplit = dataset.Splits?.GetValueOrDefault(task.Attribute!),
                        ImagesFolder = dataset.ImagesFolder,
                    }, progress, cancel));
                if (outcome is null)
                {
                    notes.Add($"{spec.Id}/{task.Id}: fewer than two '{task.Attribute}' classes with {new AcquisitionSplitOptions().MinPerClass}+ labelled photos; not run");
                    continue;
                }
                records.AddRange(outcome.Records);
                SafetensorsFile.Write(Path.Combine(s.Out, "embeddings", spec.Id, task.Id + ".safetensors"), outcome.Embeddings);
                foreach (var skip in outcome.Skipped)
                    if (!skipped.Contains(skip)) skipped.Add(skip);
            }
        }
        foreach (var skip in exifSkipped)
            if (!skipped.Any(x => x.Path == skip.Path)) skipped.Add(skip);
        if (!s.Quiet)
            foreach (var note in notes) Console.WriteLine(note);

        var summary = Summary.Create(s.Seed, new SortedDictionary<string, string>
            {
                ["images"] = s.Images is null ? "bundled photos" : Path.GetFullPath(s.Images),
                ["photos"] = photos.Count.ToString(),
                ["protocol"] = s.Protocol.ToString().ToLowerInvariant(),
                ["train_crops_per_photo"] = s.Crops.TrainCropsPerPhoto.ToString(),
                ["test_crops_per_photo"] = s.Crops.TestCropsPerPhoto.ToString(),
                ["test_fraction"] = s.Crops.TestFraction.ToString("0.###"),
                ["device"] = s.Device,
                ["batch_size"] = s.BatchSize.ToString(),
                ["notes"] = string.Join("; ", notes),
            }, records, skipped);
        var written = ReportWriter.Write(summary, s.Out);
        if (!s.Quiet) PrintTable(summary, written);
        return ExitCodes.Success;
    }

    private static IReadOnlyList<SummaryRecord> ExistingRecords(string output)
    {
        var path = Path.Combine(output, "summary.json");
        return File.Exists(path) ? Summary.Read(path).Records : [];
    }

    /// <summary>The experiment options a job's settings stand for (shared by `run` and `embed`).</summary>
    public static ProcessingProbeOptions ProcessingOptionsOf(JobSettings s, EmbeddingCache cache) => new()
    {
        Seed = s.Seed,
        Crops = s.Crops,
        Probe = new ProbeOptions { Protocol = s.Protocol, Seed = s.Seed },
        Pipeline = new EmbeddingPipelineOptions { BatchSize = s.BatchSize, ChunkSize = s.ChunkSize },
        Cache = cache,
        ProbeSeeds = s.ProbeSeeds ?? (s.Protocol == ProbeProtocol.Paper ? 10 : 1),
        Knn = s.KnnK > 0 ? new Neighbours.KnnOptions { K = s.KnnK, Seed = s.Seed } : null,
    };

    /// <summary>The acquisition experiment options a job's settings stand for.</summary>
    public static AcquisitionProbeOptions AcquisitionOptionsOf(JobSettings s, EmbeddingCache cache) => new()
    {
        Seed = s.Seed,
        Probe = new ProbeOptions { Protocol = s.Protocol, Seed = s.Seed },
        Pipeline = new EmbeddingPipelineOptions { BatchSize = s.BatchSize, ChunkSize = s.ChunkSize },
        Cache = cache,
        MaskRatio = s.MaskRatio,
    };

    private static void PrintTable(Summary summary, ReportWriter.Written written)
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
            Console.WriteLine($"{summary.Skipped.Count} input(s) skipped; see 'skipped' in {written.SummaryPath}.");
        Console.WriteLine($"Wrote {written.SummaryPath}, {written.CsvPath}, {written.ReportPath} and {written.Figures.Count} figure(s)");
    }
}
