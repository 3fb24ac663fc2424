using TraceProbe.Acquisition;
using TraceProbe.Common;
using TraceProbe.Datasets;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Probes;
using TraceProbe.Results;

namespace TraceProbe.Experiments;

/// <summary>What a suite produced: the summary (records, skipped inputs, settings) and notes for the reader.</summary>
public sealed record SuiteOutcome(Summary Summary, IReadOnlyList<string> Notes);

/// <summary>
/// The whole suite, from photos to summary: chooses encoders and tasks, reads the dataset and its acquisition
/// labels, runs every (encoder, task) experiment, writes each task's embeddings file under OUT/embeddings, and
/// gathers records and skipped inputs. Front ends (the `run` command) call this and print; nothing here prints.
/// </summary>
public static class TraceSuite
{
    public static async Task<SuiteOutcome> RunAsync(JobSettings s, ISuiteObserver observer, CancellationToken cancel = default)
    {
        s.Validate();
        var modelsFolder = ModelsFolder.Resolve(s.Models);
        var encoderSpecs = EncoderSelection.Select(s.Encoders, modelsFolder);
        var allTasks = TaskSelection.Select(s.Tasks, kind: null);
        var processingTasks = allTasks.Where(t => t.Kind == TraceKind.Processing).ToList();
        var acquisitionTasks = allTasks.Where(t => t.Kind == TraceKind.Acquisition).ToList();
        foreach (var id in s.Erase.Where(e => !processingTasks.Any(t => t.Id.Equals(e, StringComparison.OrdinalIgnoreCase))))
            throw new SettingsException($"--erase {id}: not one of the tasks being run ({string.Join(", ", processingTasks.Select(t => t.Id))}).");
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
        var records = new List<SummaryRecord>();
        var skipped = dataset.Skipped.ToList();
        var fingerprint = DatasetFingerprint.Of(photos);
        var resume = ResumeSettings.Of(s, dataset, fingerprint);
        var (existing, notKept) = s.SkipExisting ? ResumeSettings.Existing(s.Out, resume) : ([], null);
        if (notKept is not null) observer.Line($"--skip-existing: nothing kept, every task is recomputed: {notKept}.");
        var notes = new List<string>();
        var notRun = new List<NotRunTask>();
        observer.Line($"traceprobe run: {encoderSpecs.Count} encoder(s) × {processingTasks.Count + acquisitionTasks.Count} task(s) on {photos.Count} photos; seed {s.Seed}; results in {Path.GetFullPath(s.Out)}");
        var paper = s.Protocol == ProbeProtocol.Paper;
        var departures = PaperMode.Departures(s, dataset, processingTasks, acquisitionTasks);
        if (departures.Count == 0) observer.Line("Protocol: the paper's, on the paper's data layout (nothing departs from it).");
        else
        {
            observer.Line("Departs from the paper's protocol:");
            foreach (var departure in departures) observer.Line($"  - {departure}");
        }
        // Paper mode: whole images of the dataset's train and val sides, each under every class of every task.
        var sides = paper ? PaperMode.Sides(dataset, s) : null;
        var cost = sides is null ? default : PaperMode.Count(sides, processingTasks, encoderSpecs.Count);
        if (sides is not null && processingTasks.Count > 0)
        {
            observer.Line(PaperMode.CostLine(sides, cost, encoderSpecs.Count, s.ProbeSeedsOrDefault));
            PaperMode.RequireFits(cost.Images, processingTasks, encoderSpecs);
        }
        var measured = false;

        var cache = new EmbeddingCache(Path.Combine(s.Out, "cache"));
        foreach (var spec in encoderSpecs)
        {
            // --skip-existing: an (encoder, task) with records in the old summary keeps them.
            var todo = new List<TraceTaskSpec>();
            foreach (var task in processingTasks.Concat(acquisitionTasks))
            {
                var kept = existing.Where(r => r.Encoder == spec.Id && r.Task == task.Id).ToList();
                if (kept.Count > 0 && !ResumeSettings.SameModel(kept, ModelHash.Sha256(ModelsFolder.PathOf(spec, modelsFolder))))
                {
                    observer.Line($"{spec.Id}/{task.Id}: the existing summary's records were made by another model file (SHA-256 differs); recomputing.");
                    kept.Clear();
                }
                records.AddRange(kept);
                if (kept.Count == 0) todo.Add(task);
                else observer.Line($"{spec.Id}/{task.Id}: kept {kept.Count} record(s) from the existing summary (--skip-existing).");
            }
            if (todo.Count == 0) continue;
            using var encoder = EncoderSelection.Open(spec, modelsFolder, s.Device, s.Threads, observer.Line);
            if (sides is not null && !measured && todo.FirstOrDefault(t => t.Kind == TraceKind.Processing) is { } first)
            {
                // The ETA comes from a short measurement on this machine, before the long work starts.
                measured = true;
                foreach (var line in await PaperMode.MeasuredLinesAsync(encoder, first, processingTasks, photos, sides, cost, s, cancel))
                    observer.Line(line);
            }
            foreach (var task in todo)
            {
                var outcome = await observer.RunAsync($"{spec.Id}/{task.Id}", async progress => task.Kind == TraceKind.Processing
                    ? sides is not null
                        ? await PaperProcessingExperiment.RunAsync(encoder, task, photos, sides, dataset.SemanticLabels,
                            PaperMode.ProcessingOptions(s, dataset, cache) with { Log = observer.Line }, progress, cancel)
                        : await ProcessingProbeExperiment.RunAsync(encoder, task, photos, s.ProcessingOptions(cache) with
                        {
                            Erase = s.Erase.Contains(task.Id, StringComparer.OrdinalIgnoreCase),
                            SemanticLabels = dataset.SemanticLabels,
                            Log = observer.Line,
                        }, progress, cancel)
                    : await AcquisitionProbeExperiment.RunAsync(encoder, task, photos, labels, s.AcquisitionOptions(cache) with
                    {
                        GivenSplit = dataset.Splits?.GetValueOrDefault(task.Attribute!),
                        ImagesFolder = dataset.ImagesFolder,
                        SourceOrientation = dataset.SourceOrientation,
                        // The reference's acquisition probe runs once, seed 42, on its code's 0.95 mask.
                        Seed = paper ? PaperMode.AcquisitionSeed + s.Seed : s.Seed,
                        MaskRatio = s.MaskRatio ?? (paper ? PaperMode.MaskRatio : null),
                    }, progress, cancel));
                if (outcome is null)
                {
                    // Listed in the summary's not_run (front ends print it), not as a note too.
                    var reason = $"fewer than two '{task.Attribute}' classes with {new AcquisitionSplitOptions().MinPerClass}+ labelled photos";
                    notRun.Add(new NotRunTask { Encoder = spec.Id, Experiment = ExperimentNames.Acquisition, Task = task.Id, Reason = reason, TestPhotos = 0 });
                    continue;
                }
                // Results resting on fewer than 10 held-out photos are listed as not run instead of reported.
                var (kept, left) = ResultGate.Apply(outcome.Records, s.MinTestPhotos);
                records.AddRange(kept);
                notRun.AddRange(left);
                foreach (var note in outcome.Notes)
                    if (!notes.Contains(note)) notes.Add(note);
                EmbeddingsFile.Write(EmbeddingsPath(s.Out, spec.Id, task.Id), outcome.Embeddings);
                foreach (var skip in outcome.Skipped)
                    if (!skipped.Contains(skip)) skipped.Add(skip);
            }
        }
        foreach (var skip in exifSkipped)
            if (!skipped.Any(x => x.Path == skip.Path)) skipped.Add(skip);
        foreach (var note in notes) observer.Line(note);

        var settings = new SortedDictionary<string, string>
            {
                ["images"] = s.Images is null ? "bundled photos" : Path.GetFullPath(s.Images),
                ["photos"] = photos.Count.ToString(),
                ["dataset_layout"] = dataset.Layout,
                ["mode"] = paper ? "paper (whole images, the dataset's train/val)" : "quick (crops of photos)",
                [SettingNames.Protocol] = s.Protocol.ToString().ToLowerInvariant(),
                ["device"] = s.Device,
                ["batch_size"] = s.BatchSize.ToString(),
                ["notes"] = string.Join("; ", notes),
                // One line per departure, so that a report lists them; empty when the run is the paper's protocol.
                [PaperMode.DeparturesKey] = string.Join("\n", departures),
                [SettingNames.ResumeSettings] = ResumeSettings.Format(resume),
            };
        if (!paper)
        {
            settings["train_crops_per_photo"] = s.Crops.TrainCropsPerPhoto.ToString();
            settings["test_crops_per_photo"] = s.Crops.TestCropsPerPhoto.ToString();
            settings["test_fraction"] = s.Crops.TestFraction.ToString("0.###");
        }
        else if (sides is not null)
        {
            settings["train_images"] = sides.Count(x => x == PaperProcessingExperiment.Train).ToString();
            settings["val_images"] = sides.Count(x => x == PaperProcessingExperiment.Val).ToString();
            settings["knn_k"] = PaperMode.K(s, dataset).ToString();
        }
        var summary = Provenance.Stamp(Summary.Create(s.Seed, settings, records, skipped) with { NotRun = notRun }, dataset, fingerprint);
        return new SuiteOutcome(summary, notes);
    }

    /// <summary>Where a task's embeddings file goes under a run's output folder.</summary>
    public static string EmbeddingsPath(string output, string encoder, string task) =>
        Path.Combine(output, "embeddings", encoder, task + ".safetensors");
}
