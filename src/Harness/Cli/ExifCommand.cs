using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using TraceProbe.Acquisition;
using TraceProbe.Common;
using TraceProbe.Images;

namespace TraceProbe.Cli;

/// <summary><c>traceprobe exif</c>: the normalised acquisition labels of every photo of a folder.</summary>
public static class ExifCommand
{
    public static Command Create()
    {
        var images = new Option<string?>("--images") { Description = "Folder of photos (searched recursively). Default: the bundled photos." };
        var json = new Option<bool>("--json") { Description = "Print a JSON array (one object per file; unknown values are null) instead of a table." };
        var command = new Command("exif", "Read Make, Model, exposure, aperture, ISO, focal length, flash and date from each photo's EXIF and print them normalised, as the acquisition tasks see them.\n\nExample: traceprobe exif --images photos --json")
        {
            images, json,
        };
        command.SetAction(parse =>
        {
            var folder = parse.GetValue(images) ?? PhotoCollection.BundledFolder;
            var photos = PhotoCollection.FromFolder(folder);
            var (labels, skipped) = ExifReader.ReadAll(photos.Select(p => p.Path));
            Write(labels, skipped, folder, parse.GetValue(json), Console.Out);
            return ExitCodes.Success;
        });
        return command;
    }

    public static void Write(IReadOnlyList<ExifLabels> labels, IReadOnlyList<SkippedInput> skipped, string folder, bool json, TextWriter output)
    {
        string Name(string path) => Path.GetRelativePath(folder, path).Replace('\\', '/');
        if (json)
        {
            var rows = labels.Select(l => new
            {
                file = Name(l.Path),
                make = l.Make,
                model = l.Model,
                is_smartphone = l.IsSmartphone,
                exposure = l.Exposure,
                aperture = l.Aperture,
                iso = l.Iso,
                focal_length = l.FocalLength,
                flash = l.Flash,
                year = l.Year,
            });
            output.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            static string Cell(object? v) => v switch { null => "–", bool b => b ? "yes" : "no", _ => v.ToString()! };
            TableOutput.Write(output, ["File", "Make", "Model", "Phone", "Exposure", "Aperture", "ISO", "Focal", "Flash", "Year"],
                labels.Select(l => (IReadOnlyList<string>)[Cell(Name(l.Path)), Cell(l.Make), Cell(l.Model), Cell(l.IsSmartphone), Cell(l.Exposure),
                    Cell(l.Aperture), Cell(l.Iso), Cell(l.FocalLength), Cell(l.Flash), Cell(l.Year)]),
                "File", "Model");
            output.WriteLine($"{labels.Count(l => l.Make is not null)} of {labels.Count} photos name their camera's make.");
        }
        foreach (var s in skipped) Console.Error.WriteLine($"skipped {s.Path}: {s.Reason}");
    }
}
