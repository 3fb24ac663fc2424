using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using TraceProbe.Encoders;

namespace TraceProbe.Cli;

/// <summary><c>traceprobe encoders</c>: every registered encoder, installed or not, and how to install it.</summary>
public static class EncodersCommand
{
    public static Command Create()
    {
        var models = CommonOptions.Models();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var command = new Command("encoders", "List the encoders registered in encoders.json, whether each is installed, and how to install a missing one.\n\nExample: traceprobe encoders --json")
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
            var table = new Table().AddColumns("Id", "Family", "Name", "Input", "Dim", "Installed");
            foreach (var r in rows)
                table.AddRow(Markup.Escape(r.id), r.family, Markup.Escape(r.name), r.input, r.dim.ToString(), r.installed ? "[green]yes[/]" : "[grey]no[/]");
            AnsiConsole.Write(table);
            Console.WriteLine($"Models folder: {folder}");
            foreach (var r in rows.Where(r => !r.installed))
                Console.WriteLine($"  {r.id}: {r.install}");
            return ExitCodes.Success;
        });
        return command;
    }
}
