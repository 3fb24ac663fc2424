using System.CommandLine;
using System.Text.Json;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
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
        var device = CommonOptions.Device();
        var command = new Command("knn", "Semantic kNN accuracy under the paper's five set-ups (all-same, pos-same, neg-same, all-diff, uniform) and the distraction score, on the held-out crops of an embeddings file; each photo is a semantic class.\n\nExample: traceprobe knn --embeddings results/embeddings/resnet18/jpeg.safetensors --k 1 --out results/knn1")
        {
            embeddings, k, seeds, seed, output, quiet, device,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(embeddings)!;
            if (!File.Exists(path)) throw new UsageException($"--embeddings '{path}' does not exist.");
            if (parse.GetValue(k) < 1) throw new UsageException($"--k {parse.GetValue(k)}: must be at least 1.");
            var (knnDevice, deviceId) = ParseDevice(parse.GetValue(device)!);
            var options = new KnnOptions { K = parse.GetValue(k), UniformSeeds = parse.GetValue(seeds), Seed = parse.GetValue(seed), Device = knnDevice, DeviceId = deviceId };
            // The run's state sits beside its results, so that running the same command again resumes it.
            Directory.CreateDirectory(parse.GetValue(output)!);
            var state = Path.Combine(parse.GetValue(output)!, "knn-state.bin");
            var summary = Execute(SafetensorsFile.Read(path), path, options, parse.GetValue(quiet) ? null : Console.Error.WriteLine, state);
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

    private static (KnnDevice Device, int Id) ParseDevice(string device)
    {
        if (device.Equals("cpu", StringComparison.OrdinalIgnoreCase)) return (KnnDevice.Cpu, 0);
        if (device.StartsWith("cuda", StringComparison.OrdinalIgnoreCase))
        {
            var id = 0;
            if (device.Contains(':') && !int.TryParse(device[(device.IndexOf(':') + 1)..], out id))
                throw new UsageException($"--device {device}: expected cuda:N with a GPU number N.");
            return (KnnDevice.Cuda, id);
        }
        throw new UsageException($"--device {device}: expected 'cpu' or 'cuda[:N]'.");
    }

    public static Summary Execute(EmbeddingSet set, string source, KnnOptions options, Action<string>? log = null, string? statePath = null)
    {
        if (!set.Metadata.TryGetValue("split", out var splitJson))
            throw new InvalidDataException($"{source}: no 'split' metadata; write it with `traceprobe run` or `embed` + `merge`.");
        var split = JsonSerializer.Deserialize<string[]>(splitJson)!;
        var done = set.Metadata.TryGetValue("done", out var d) ? JsonSerializer.Deserialize<bool[]>(d)! : Enumerable.Repeat(true, set.Count).ToArray();
        // Class order of the registered task, so that seeded set-ups (uniform) match the run's.
        var task = ExperimentRegistry.Find(set.Metadata.GetValueOrDefault("task", ""));
        var classes = task is { Classes.Count: > 0 } ? task.Classes.Select(c => string.Join("+", c.Ops)).ToList() : set.Processing.Distinct().ToList();
        // Items are "photo#cropN" under each processing: rebuild the plan's photos and crops from the keys.
        var photos = new Dictionary<string, int>(StringComparer.Ordinal);
        var items = Enumerable.Range(0, set.Count).Select(i =>
        {
            var parts = set.Keys[i].Split('#');
            var photo = photos.TryGetValue(parts[0], out var p) ? p : photos[parts[0]] = photos.Count;
            var crop = parts.Length > 1 && int.TryParse(parts[1].Replace("crop", ""), out var c) ? c : 0;
            return new TraceItem(i, photo, crop, default, classes.IndexOf(set.Processing[i]), split[i] == "test");
        }).ToList();
        var encoderId = set.Metadata.GetValueOrDefault("encoder", "unknown");
        var template = new SummaryRecord
        {
            Encoder = encoderId,
            Family = EncoderRegistry.Find(encoderId)?.Family.ToString() ?? "Control",
            Experiment = "knn",
            Task = set.Metadata.GetValueOrDefault("task", Path.GetFileNameWithoutExtension(source)),
            Setup = "",
            Metric = "",
            Value = 0,
            Classes = classes,
            Details = new SortedDictionary<string, string> { ["embeddings"] = Path.GetFileName(source) },
        };
        var records = KnnInfluenceStage.Run(set.Embeddings, set.Dim, items, done, classes.Count, template, options, log: log, statePath: statePath);
        if (records.Count == 0) throw new InvalidDataException($"{source}: fewer than 4 held-out crops have an embedding under every processing.");
        return Summary.Create(options.Seed, new SortedDictionary<string, string> { ["embeddings"] = Path.GetFullPath(source), ["k"] = options.K.ToString() }, records, []);
    }
}
