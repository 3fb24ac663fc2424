using System.CommandLine;
using TraceProbe.Cli;

var root = new RootCommand("traceprobe: what visual encoders know about how an image was processed and captured.")
{
    RunCommand.Create(),
    EncodersCommand.Create(),
};

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine("Run `traceprobe --help` (or `traceprobe <command> --help`) for usage.");
    return ExitCodes.Usage;
}
try
{
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return ExitCodes.Usage;
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return ExitCodes.Failure;
}
