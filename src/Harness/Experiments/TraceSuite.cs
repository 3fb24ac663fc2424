using TraceProbe.Acquisition;
using TraceProbe.Common;
using TraceProbe.Datasets;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Results;

namespace TraceProbe.Experiments;

/// <summary>What a suite produced: the summary (records, skipped inputs, settings) and notes for the reader.</summary>
public sealed record SuiteOutcome(Summary Summary, IReadOnlyList<string> Notes);

/// <summary>
/// The whole suite, from photos to summary: chooses encoders and tasks, reads the dataset and its acquisition
/// labels, runs every (encoder, task) experiment (chosen from <see cref="ExperimentTable"/>), writes each task's
/// embeddings file under OUT/embeddings, and gathers records and skipped inputs. Front ends (the `run` command)
/// call this and print; nothing here prints.
/// </summary>
public static class TraceSuite
{
    /// <summary>What the suite decided before running anything: selection, inputs, departures, resume and paper-mode cost.</summary>
    private sealed record SuitePlan(
        SuiteInputs Inputs, string ModelsFolder, IReadOnlyList<EncoderSpec> Encoders,
        IReadOnlyList<TraceTaskSpec> Processing, IReadOnlyList<TraceTaskSpec> Acquisition, IReadOnlyList<TraceTaskSpec> OtherKinds,
        IReadOnlyList<SkippedInput> ExifSkipped, DatasetFingerprint Fingerprint, SortedDictionary<string, string> Resume,
        IReadOnlyList<SummaryRecord> Existing, IReadOnlyList<string> Departures, (int Images, int Processings, long Embeddings) Cost)
    {
        public IEnumerable<TraceTaskSpec> Tasks => Processing.Concat(Acquisition).Concat(OtherKinds);
    }

    /// <summary>What the encoders' experiments gave, gathered across the run.</summary>
    private sealed class Gathered
    {
        public List<SummaryRecord> Records { get; } = [];
        public List<NotRunTask> NotRun { get; } = [];
        public List<string> Notes { get; } = [];
        public List<SkippedInput> Skipped { get; } = [];
        public bool Measured { get; set; }
    }

    public static async Task<SuiteOutcome> RunAsync(JobSettings s, ISuiteObserver observer, CancellationToken cancel = default)
    {
        var plan = Plan(s.Validate(), observer);
        var gathered = new Gathered();
        gathered.Skipped.AddRange(plan.Inputs.Dataset.Skipped);
        foreach (var spec in plan.Encoders)
            await RunEncoderAsync(plan, spec, gathered, observer, cancel);
        foreach (var skip in plan.ExifSkipped)
            if (!gathered.Skipped.Any(x => x.Path == skip.Path)) gathered.Skipped.Add(skip);
        foreach (var note in gathered.Notes) observer.Line(note);
        var summary = Summary.Create(s.Seed, Settings(plan, gathered.Notes), gathered.Records, gathered.Skipped) with { NotRun = gathered.NotRun };
        return new SuiteOutcome(Provenance.Stamp(summary, plan.Inputs.Dataset, plan.Fingerprint), gathered.Notes);
    }

    /// <summary>Where a task's embeddings file goes under a run's output folder.</summary>
    public static string EmbeddingsPath(string output, string encoder, string task) =>
        Path.Combine(output, "embeddings", encoder, task + ".safetensors");

    private static SuitePlan Plan(JobSettings s, ISuiteObserver observer)
    {
        var modelsFolder = ModelsFolder.Resolve(s.Models);
        var encoders = EncoderSelection.Select(s.Encoders, modelsFolder);
        var allTasks = TaskSelection.Select(s.Tasks, kind: null);
        var processing = allTasks.Where(t => t.Kind == TraceKind.Processing).ToList();
        var acquisition = allTasks.Where(t => t.Kind == TraceKind.Acquisition).ToList();
        // A kind added since (docs/architecture.md, "Adding a trace task") runs through its table row like these.
        var otherKinds = allTasks.Where(t => t.Kind is not (TraceKind.Processing or TraceKind.Acquisition)).ToList();
        foreach (var id in s.Erase.Where(e => !processing.Any(t => t.Id.Equals(e, StringComparison.OrdinalIgnoreCase))))
            throw new SettingsException($"--erase {id}: not one of the tasks being run ({string.Join(", ", processing.Select(t => t.Id))}).");
        var dataset = DatasetLoader.Open(s.Images ?? PhotoCollection.BundledFolder);
        var (labels, exifSkipped) = AcquisitionLabels(dataset, acquisition);
        // By default the acquisition tasks run when some photo has a camera make (or the task has a published split).
        if (s.Tasks.Count == 0 && labels.All(l => l?.Make is null)) acquisition.RemoveAll(t => !Published(dataset, t));

        var fingerprint = DatasetFingerprint.Of(dataset.Photos);
        var resume = ResumeSettings.Of(s, dataset, fingerprint);
        var (existing, notKept) = s.SkipExisting ? ResumeSettings.Existing(s.Out, resume) : ([], null);
        if (notKept is not null) observer.Line($"--skip-existing: nothing kept, every task is recomputed: {notKept}.");
        observer.Line($"traceprobe run: {encoders.Count} encoder(s) × {processing.Count + acquisition.Count + otherKinds.Count} task(s) on {dataset.Photos.Count} photos; seed {s.Seed}; results in {Path.GetFullPath(s.Out)}");
        var departures = PaperMode.Departures(s, dataset, processing, acquisition);
        if (departures.Count == 0) observer.Line("Protocol: the paper's, on the paper's data layout (nothing departs from it).");
        else
        {
            observer.Line("Departs from the paper's protocol:");
            foreach (var departure in departures) observer.Line($"  - {departure}");
        }
        // The paper's layout: whole images of the dataset's train and val sides, each under every class of every task.
        var layout = s.LayoutOrDefault;
        var sides = layout == ProcessingLayout.PaperWholeImages ? PaperMode.Sides(dataset, s) : null;
        var cost = sides is null ? default : PaperMode.Count(sides, processing, encoders.Count);
        if (sides is not null && processing.Count > 0)
        {
            observer.Line(PaperMode.CostLine(sides, cost, encoders.Count, s.ProbeSeedsOrDefault));
        }
        var inputs = new SuiteInputs(s, dataset, layout, sides, labels, new EmbeddingCache(Path.Combine(s.Out, "cache")), Provenance.FileStamp(dataset, fingerprint));
        return new SuitePlan(inputs, modelsFolder, encoders, processing, acquisition, otherKinds, exifSkipped, fingerprint, resume, existing, departures, cost);
    }

    /// <summary>
    /// Acquisition labels come from the dataset's table, else from the photos' EXIF. A task with a published split
    /// takes its labels from it: EXIF is read only for the others.
    /// </summary>
    private static (IReadOnlyList<ExifLabels?> Labels, IReadOnlyList<SkippedInput> Skipped) AcquisitionLabels(Dataset dataset, IReadOnlyList<TraceTaskSpec> acquisition)
    {
        if (dataset.AcquisitionLabels is { } table) return (table, []);
        var (exif, skipped) = acquisition.Any(t => !Published(dataset, t)) ? ExifReader.ReadAll(dataset.Photos.Select(p => p.Path)) : ([], []);
        var byPath = exif.ToDictionary(l => l.Path);
        return (dataset.Photos.Select(p => byPath.GetValueOrDefault(p.Path)).ToList(), skipped);
    }

    private static bool Published(Dataset dataset, TraceTaskSpec task) => dataset.Splits?.ContainsKey(task.Attribute!) == true;

    /// <summary>One encoder's tasks: the records --skip-existing keeps, then every other task through its experiment.</summary>
    private static async Task RunEncoderAsync(SuitePlan plan, EncoderSpec spec, Gathered gathered, ISuiteObserver observer, CancellationToken cancel)
    {
        var s = plan.Inputs.Settings;
        var todo = Resumed(plan, spec, gathered, observer);
        if (todo.Count == 0) return;
        using var encoder = EncoderSelection.Open(spec, plan.ModelsFolder, s.Device, s.Threads, observer.Line);
        if (plan.Inputs.Sides is { } sides && !gathered.Measured && todo.FirstOrDefault(t => t.Kind == TraceKind.Processing) is { } first)
        {
            // The ETA comes from a short measurement on this machine, before the long work starts.
            gathered.Measured = true;
            foreach (var line in await PaperMode.MeasuredLinesAsync(encoder, first, plan.Processing, plan.Inputs.Dataset.Photos, sides, plan.Cost, s, cancel))
                observer.Line(line);
        }
        foreach (var task in todo)
        {
            var experiment = ExperimentTable.For(task.Kind, plan.Inputs.Layout);
            var result = await observer.RunAsync($"{spec.Id}/{task.Id}", progress =>
                experiment.RunAsync(new ExperimentContext(encoder, task, plan.Inputs, observer.Line, progress, cancel)));
            if (result.Outcome is not { } outcome)
            {
                // Listed in the summary's not_run (front ends print it), not as a note too.
                gathered.NotRun.Add(new NotRunTask { Encoder = spec.Id, Experiment = experiment.Name, Task = task.Id, Reason = result.NotRunReason!, TestPhotos = 0 });
                continue;
            }
            // Results resting on fewer than --min-test-photos held-out photos are listed as not run instead of reported.
            var (kept, left) = ResultGate.Apply(outcome.Records, s.MinTestPhotos);
            gathered.Records.AddRange(kept);
            gathered.NotRun.AddRange(left);
            foreach (var note in outcome.Notes)
                if (!gathered.Notes.Contains(note)) gathered.Notes.Add(note);
            // Paper mode wrote its file as it embedded (a task of any size is never held in memory), stamped as this one.
            if (outcome.Embeddings is { } embeddings)
                EmbeddingsFile.Write(EmbeddingsPath(s.Out, spec.Id, task.Id), embeddings with { Metadata = Provenance.Stamped(embeddings.Metadata, plan.Inputs.FileStamp) });
            foreach (var skip in outcome.Skipped)
                if (!gathered.Skipped.Contains(skip)) gathered.Skipped.Add(skip);
        }
    }

    /// <summary>--skip-existing: an (encoder, task) whose old records match the settings and the model keeps them; the rest is to do.</summary>
    private static List<TraceTaskSpec> Resumed(SuitePlan plan, EncoderSpec spec, Gathered gathered, ISuiteObserver observer)
    {
        var todo = new List<TraceTaskSpec>();
        foreach (var task in plan.Tasks)
        {
            var kept = plan.Existing.Where(r => r.Encoder == spec.Id && r.Task == task.Id).ToList();
            if (kept.Count > 0 && !ResumeSettings.SameModel(kept, ModelHash.Sha256(ModelsFolder.PathOf(spec, plan.ModelsFolder))))
            {
                observer.Line($"{spec.Id}/{task.Id}: the existing summary's records were made by another model file (SHA-256 differs); recomputing.");
                kept.Clear();
            }
            gathered.Records.AddRange(kept);
            if (kept.Count == 0) todo.Add(task);
            else observer.Line($"{spec.Id}/{task.Id}: kept {kept.Count} record(s) from the existing summary (--skip-existing).");
        }
        return todo;
    }

    /// <summary>The summary's settings: what was run on, how, and how it departs from the paper's protocol.</summary>
    private static SortedDictionary<string, string> Settings(SuitePlan plan, IReadOnlyList<string> notes)
    {
        var (s, dataset, layout, sides) = (plan.Inputs.Settings, plan.Inputs.Dataset, plan.Inputs.Layout, plan.Inputs.Sides);
        var settings = new SortedDictionary<string, string>
        {
            ["images"] = s.Images is null ? "bundled photos" : Path.GetFullPath(s.Images),
            ["photos"] = dataset.Photos.Count.ToString(),
            ["dataset_layout"] = dataset.Layout,
            [SettingNames.Layout] = layout.Token(),
            ["mode"] = layout == ProcessingLayout.PaperWholeImages ? "paper (whole images, the dataset's train/val)" : "quick (crops of photos)",
            [SettingNames.Protocol] = s.Protocol.ToString().ToLowerInvariant(),
            ["device"] = s.Device,
            ["batch_size"] = s.BatchSize.ToString(),
            ["notes"] = string.Join("; ", notes),
            // One line per departure, so that a report lists them; empty when the run is the paper's protocol.
            [PaperMode.DeparturesKey] = string.Join("\n", plan.Departures),
            [SettingNames.ResumeSettings] = ResumeSettings.Format(plan.Resume),
        };
        if (sides is null)
        {
            settings["train_crops_per_photo"] = s.Crops.TrainCropsPerPhoto.ToString();
            settings["test_crops_per_photo"] = s.Crops.TestCropsPerPhoto.ToString();
            settings["test_fraction"] = s.Crops.TestFraction.ToString("0.###");
        }
        else
        {
            settings["train_images"] = sides.Count(x => x == PaperProcessingExperiment.Train).ToString();
            settings["val_images"] = sides.Count(x => x == PaperProcessingExperiment.Val).ToString();
            settings["knn_k"] = PaperMode.K(s, dataset).ToString();
        }
        return settings;
    }
}
