using System.Diagnostics;

namespace TraceProbe.Tests.Support;

/// <summary>The real `traceprobe` program as a separate process (for kill and resume tests).</summary>
public static class TraceProbeProcess
{
    public static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "traceprobe.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        // Drain the pipes so that the child never blocks on a full buffer.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static async Task<int> RunAsync(params string[] args)
    {
        using var process = Start(args);
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
