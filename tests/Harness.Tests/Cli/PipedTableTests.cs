using System.Diagnostics;
using TraceProbe.Encoders;

namespace TraceProbe.Tests.Cli;

/// <summary>`traceprobe encoders` piped, as a user greps it: the real program with its stdout a pipe.</summary>
public sealed class PipedTableTests
{
    private static async Task<(int Exit, string[] Lines, string Err)> RunPiped(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "traceprobe.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        // A narrow terminal must not matter to a pipe: nothing may wrap.
        info.Environment["COLUMNS"] = "40";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        return (process.ExitCode, lines, await stderr);
    }

    [Fact]
    public async Task Piped_encoders_prints_every_encoder_whole_on_one_line()
    {
        var (exit, lines, err) = await RunPiped("encoders");

        Assert.Equal(0, exit);
        Assert.Equal("id\tfamily\tname\tinput\tdim\tinstalled\tinstall", lines[0]);
        Assert.Equal(EncoderRegistry.All.Count + 1, lines.Length);
        foreach (var encoder in EncoderRegistry.All)
        {
            // What `grep ID` finds holds the whole entry: its id, name and, when missing, the command that installs it.
            var found = lines.Where(l => l.Contains(encoder.Id, StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(found);
            var fields = Assert.Single(found.Select(l => l.Split('\t')), f => f[0] == encoder.Id);
            Assert.Equal(7, fields.Length);
            Assert.Equal(encoder.DisplayName, fields[2]);
            if (fields[5] == "no") Assert.Contains($"tools/export_onnx.py --encoder {encoder.Id} ", fields[6]);
        }
        Assert.Contains("Models folder:", err);
    }

    [Fact]
    public async Task Piped_encoders_reads_the_models_folder_given()
    {
        var models = Path.Combine(AppContext.BaseDirectory, "ExportCheck", "models");

        var (exit, lines, _) = await RunPiped("encoders", "--models", models);

        Assert.Equal(0, exit);
        var rows = lines.Skip(1).Select(l => l.Split('\t')).ToDictionary(f => f[0], f => f[5]);
        Assert.Equal("yes", rows["export-check/vit"]);
        Assert.Equal("yes", rows["export-check/resnet-external"]);
        Assert.Equal("no", rows["resnet18"]);
    }
}
