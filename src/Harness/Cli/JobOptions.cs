using System.CommandLine;
using TraceProbe.Common;
using TraceProbe.Experiments;

namespace TraceProbe.Cli;

/// <summary>The options that fill <see cref="JobSettings"/>, named and explained once.</summary>
public sealed class JobOptions
{
    public Option<string[]> Encoders { get; } = new("--encoders") { Description = "Encoder ids (see `traceprobe encoders`), space- or comma-separated. Default: every installed encoder.", AllowMultipleArgumentsPerToken = true };
    public Option<string[]> Tasks { get; } = new("--tasks") { Description = "Trace task ids from encoders.json. Default: every processing task, and every acquisition task when the photos carry EXIF.", AllowMultipleArgumentsPerToken = true };
    public Option<string?> Images { get; } = new("--images") { Description = "The photos: a folder (searched recursively; sub-folders are semantic classes), a manifest .csv (path[,label]), or a FlickrExif folder. Default: the photos bundled with the program." };
    public Option<string> Out { get; } = CommonOptions.Out();
    public Option<ulong> Seed { get; } = CommonOptions.Seed();
    public Option<string> Device { get; } = CommonOptions.Device();
    public Option<int> Threads { get; } = CommonOptions.Threads();
    public Option<string?> Models { get; } = CommonOptions.Models();
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Images per ONNX Runtime call.", DefaultValueFactory = _ => 8 };
    public Option<int> TrainCrops { get; } = new("--train-crops") { Description = "Random crops per training photo, each under one random class.", DefaultValueFactory = _ => new CropPlanOptions().TrainCropsPerPhoto };
    public Option<int> TestCrops { get; } = new("--test-crops") { Description = "Random crops per held-out photo, each under every class.", DefaultValueFactory = _ => new CropPlanOptions().TestCropsPerPhoto };
    public Option<int> ChunkSize { get; } = new("--chunk-size") { Description = "Items per cache entry (the unit of resuming and of sharding).", DefaultValueFactory = _ => 64 };
    public Option<bool> Quiet { get; } = CommonOptions.Quiet();
    public Option<string?> Layout { get; } = new("--layout") { Description = "The processing tasks' data: quick (random crops of a few photos) or paper (whole images of the dataset's train/val, each under every class). Default: paper with --protocol paper, else quick. See docs/paper-mode.md." };
    public Option<int> MinTestPhotos { get; } = new("--min-test-photos") { Description = "Results resting on fewer held-out photos are listed under 'not run' instead of reported (run and its report; embedding ignores it).", DefaultValueFactory = _ => ResultGate.MinimumTestPhotos };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Encoders, Tasks, Images, Out, Seed, Device, Threads, Models, BatchSize, ChunkSize, TrainCrops, TestCrops, Layout, MinTestPhotos, Quiet })
            command.Options.Add(option);
    }

    public JobSettings Read(ParseResult parse)
    {
        // Only parsing here: the suite checks the values (JobSettingsChecks), so every front end gets the same errors.
        return new JobSettings
        {
            Encoders = parse.GetValue(Encoders) ?? [],
            Tasks = parse.GetValue(Tasks) ?? [],
            Images = parse.GetValue(Images),
            Out = parse.GetValue(Out)!,
            Seed = parse.GetValue(Seed),
            Device = parse.GetValue(Device)!,
            Threads = parse.GetValue(Threads),
            Models = parse.GetValue(Models),
            BatchSize = parse.GetValue(BatchSize),
            ChunkSize = parse.GetValue(ChunkSize),
            Crops = new CropPlanOptions { TrainCropsPerPhoto = parse.GetValue(TrainCrops), TestCropsPerPhoto = parse.GetValue(TestCrops) },
            Quiet = parse.GetValue(Quiet),
            MinTestPhotos = parse.GetValue(MinTestPhotos),
            Layout = parse.GetValue(Layout) is { } layout ? ProcessingLayouts.ParseOption(layout) : null,
        };
    }
}
