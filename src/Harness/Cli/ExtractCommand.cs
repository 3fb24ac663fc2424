using System.CommandLine;
using TraceProbe.Experiments;
using TraceProbe.Processing;

namespace TraceProbe.Cli;

/// <summary>
/// <c>traceprobe extract</c>: the paper's feature extraction on whole photos (<see cref="WholeImageExtraction"/>), written as
/// one safetensors file; finished chunks are kept in OUT.cache/ so that a rerun resumes.
/// </summary>
public static class ExtractCommand
{
    public static Command Create()
    {
        var encoder = new Option<string>("--encoder") { Description = "Encoder id (see `traceprobe encoders`).", Required = true };
        var images = new Option<string>("--images") { Description = "Folder of photos, searched recursively; keys are the paths relative to it.", Required = true };
        var op = new Option<string?>("--op") { Description = $"Processing applied to each whole photo first: {string.Join(", ", ProcessingCatalog.PaperIds)}. Default: none." };
        var output = new Option<string>("--out") { Description = "The embeddings file (.safetensors): float32 [N, D], keys in its metadata.", Required = true };
        var inputsOut = new Option<string?>("--inputs-out") { Description = "Also write the encoder's float32 input tensors [N, 3, H, W] as .npy." };
        var batch = new Option<int>("--batch-size") { Description = "Images per ONNX Runtime call.", DefaultValueFactory = _ => 8 };
        var models = CommonOptions.Models();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var seed = CommonOptions.Seed();
        var quiet = CommonOptions.Quiet();
        var command = new Command("extract", "Embed every photo of a folder as the paper's feature extraction does (open, convert RGB, processing, the encoder's transform, the model).\n\nExample: traceprobe extract --encoder clip-vit-b16 --images photos --op JPEG75_420 --out clip-jpeg75.safetensors")
        {
            encoder, images, op, output, inputsOut, batch, models, device, threads, seed, quiet,
        };
        command.SetAction(async (parse, cancel) =>
        {
            var isQuiet = parse.GetValue(quiet);
            var settings = new ExtractionSettings
            {
                Encoder = parse.GetValue(encoder)!,
                Images = parse.GetValue(images)!,
                Out = parse.GetValue(output)!,
                Op = parse.GetValue(op),
                InputsOut = parse.GetValue(inputsOut),
                BatchSize = parse.GetValue(batch),
                Models = parse.GetValue(models),
                Device = parse.GetValue(device)!,
                Threads = parse.GetValue(threads),
                Seed = parse.GetValue(seed),
            };
            var result = await WholeImageExtraction.RunAsync(settings, new ProgressDisplay(isQuiet), cancel);
            if (!isQuiet)
            {
                Console.WriteLine($"{result.Embeddings.Count} embeddings ({result.Embeddings.Dim}-d) -> {settings.Out}; {result.CachedChunks} chunk(s) from the cache");
                foreach (var s in result.Skipped) Console.WriteLine($"skipped {s.Path}: {s.Reason}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
