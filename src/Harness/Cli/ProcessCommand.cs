using System.CommandLine;
using TraceProbe.Images;
using TraceProbe.Processing;

namespace TraceProbe.Cli;

/// <summary><c>traceprobe process</c>: one processing operation on one file, to inspect or cross-check it.</summary>
public static class ProcessCommand
{
    public static Command Create()
    {
        var op = new Option<string>("--op") { Description = $"Operation id: {string.Join(", ", ProcessingCatalog.PaperIds)}.", Required = true };
        var input = new Option<string>("--in") { Description = "Source image file.", Required = true };
        var output = new Option<string>("--out") { Description = "Output file: for an operation ending in JPEG, the JPEG file itself; otherwise PNG unless the extension names another format.", Required = true };
        var seed = CommonOptions.Seed();
        var command = new Command("process", "Apply one processing trace to one image and write the result.\n\nExample: traceprobe process --op JPEG75_420 --in photo.jpg --out photo-q75.jpg")
        {
            op, input, output, seed,
        };
        command.SetAction(parse =>
        {
            var id = parse.GetValue(op)!;
            if (!ProcessingCatalog.TryParse(id, out _))
                throw new UsageException($"--op '{id}' is not an operation. Known: {string.Join(", ", ProcessingCatalog.PaperIds)}.");
            var source = parse.GetValue(input)!;
            if (!File.Exists(source)) throw new UsageException($"--in '{source}' does not exist.");
            try
            {
                ProcessingTool.Run(id, source, parse.GetValue(output)!, parse.GetValue(seed));
            }
            catch (ImageDecodeException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Failure;
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
