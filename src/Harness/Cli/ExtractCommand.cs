using System.CommandLine;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Processing;

namespace TraceProbe.Cli;

/// <summary>
/// <c>traceprobe extract</c>: the paper's feature extraction on whole photos (<see cref="FeatureExtraction"/>), written as
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
            var id = parse.GetValue(encoder)!;
            var spec = EncoderRegistry.Find(id)
                ?? throw new UsageException($"--encoder: unknown encoder '{id}'. Known: {string.Join(", ", EncoderRegistry.All.Select(e => e.Id))}.");
            var opId = parse.GetValue(op);
            if (opId is not null && !ProcessingCatalog.TryParse(opId, out _))
                throw new UsageException($"--op '{opId}' is not an operation. Known: {string.Join(", ", ProcessingCatalog.PaperIds)}.");
            var batchSize = parse.GetValue(batch);
            if (batchSize < 1) throw new UsageException($"--batch-size {batchSize}: must be at least 1.");
            var folder = parse.GetValue(images)!;
            if (!Directory.Exists(folder)) throw new UsageException($"--images '{folder}' is not a folder.");
            var outPath = parse.GetValue(output)!;
            var isQuiet = parse.GetValue(quiet);
            var modelsFolder = ModelsFolder.Resolve(parse.GetValue(models));
            using var session = EncoderSelection.Open(spec, modelsFolder, parse.GetValue(device)!, parse.GetValue(threads), isQuiet ? null : Console.Error.WriteLine);
            var options = new FeatureExtractionOptions
            {
                Op = opId,
                Seed = parse.GetValue(seed),
                Pipeline = new EmbeddingPipelineOptions { BatchSize = batchSize, ChunkSize = Math.Max(64, batchSize) / batchSize * batchSize },
                CacheFolder = outPath + ".cache",
                InputsPath = parse.GetValue(inputsOut),
            };
            var photos = PhotoCollection.FromFolder(folder);
            var result = await new ProgressDisplay(isQuiet).RunAsync($"{spec.Id}/{opId ?? FeatureExtraction.NoOp}",
                progress => FeatureExtraction.RunAsync(session, photos, options, progress, cancel));
            EmbeddingsFile.Write(outPath, result.Embeddings);
            if (!isQuiet)
            {
                Console.WriteLine($"{result.Embeddings.Count} embeddings ({result.Embeddings.Dim}-d) -> {outPath}; {result.CachedChunks} chunk(s) from the cache");
                foreach (var s in result.Skipped) Console.WriteLine($"skipped {s.Path}: {s.Reason}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
