using System.CommandLine;
using TraceProbe.Common;
using TraceProbe.Encoders;

namespace TraceProbe.Cli;

/// <summary>The `traceprobe` command line: subcommands, usage errors (exit 2) and run failures (exit 1).</summary>
public static class TraceProbeApp
{
    public static RootCommand CreateRoot() => new("traceprobe: what visual encoders know about how an image was processed and captured.")
    {
        RunCommand.Create(),
        EncodersCommand.Create(),
        ProcessCommand.Create(),
        EmbedCommand.Create(),
        MergeCommand.Create(),
        ReportCommand.Create(),
        ProbeCommand.Create(),
        ExifCommand.Create(),
        RetrievalCommand.Create(),
        KnnCommand.Create(),
    };

    public static async Task<int> RunAsync(string[] args, CancellationToken cancel = default)
    {
        var parse = CreateRoot().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("Run `traceprobe --help` (or `traceprobe <command> --help`) for usage.");
            return ExitCodes.Usage;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancel);
        }
        catch (Exception e) when (e is UsageException or SettingsException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("Cancelled; finished work is kept and a rerun resumes from it.");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException
                                       or EncoderNotInstalledException or FormatException)
        {
            // Bad input or a missing file: the message names it; a stack trace would only hide it.
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception e)
        {
            // Anything else is a fault of the program: keep the stack trace for the bug report.
            Console.Error.WriteLine($"error: {e}");
            return ExitCodes.Failure;
        }
    }
}
