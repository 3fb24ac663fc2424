using System.CommandLine;
using System.Text.Json;
using TraceProbe.Encoders;

namespace TraceProbe.Cli;

/// <summary><c>traceprobe encoders</c>: every registered encoder, installed or not, and how to install it.</summary>
public static class EncodersCommand
{
    public static Command Create()
    {
        var models = CommonOptions.Models();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var command = new Command("encoders", "List the encoders registered in encoders.json, whether each is installed, and how to install a missing one. Piped or redirected, it prints one tab-separated row per encoder.\n\nExample: traceprobe encoders | grep dinov2")
        {
            models, json,
        };
        command.SetAction(parse =>
        {
            var folder = ModelsFolder.Resolve(parse.GetValue(models));
            var rows = EncoderRegistry.All.Select(e => new
            {
                id = e.Id,
                family = e.Family.ToString(),
                name = e.DisplayName,
                input = $"{e.Input.Height}x{e.Input.Width}",
                dim = e.Output.Dim,
                installed = ModelsFolder.IsInstalled(e, folder),
                install = ModelsFolder.IsInstalled(e, folder) ? null : EncoderNotInstalledException.InstallHint(e),
            }).ToList();
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Success;
            }
            var output = Console.Out;
            if (TableOutput.IsTerminal(output))
            {
                TableOutput.Write(output, ["Id", "Family", "Name", "Input", "Dim", "Installed"],
                    rows.Select(r => (IReadOnlyList<string>)[r.id, r.family, r.name, r.input, r.dim.ToString(), r.installed ? "yes" : "no"]),
                    "Id", "Family", "Input", "Dim", "Installed");
                output.WriteLine($"Models folder: {folder}");
                foreach (var r in rows.Where(r => !r.installed))
                    output.WriteLine($"  {r.id}: {r.install}");
            }
            else
            {
                // One whole row per encoder, the install command in it: `traceprobe encoders | grep ID` finds it all.
                TableOutput.Write(output, ["id", "family", "name", "input", "dim", "installed", "install"],
                    rows.Select(r => (IReadOnlyList<string>)[r.id, r.family, r.name, r.input, r.dim.ToString(), r.installed ? "yes" : "no", r.install ?? ""]));
                Console.Error.WriteLine($"Models folder: {folder}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
