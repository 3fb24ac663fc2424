using TraceProbe.Common;
using TraceProbe.Images;

namespace TraceProbe.Datasets;

/// <summary>One subject photographed twice: by a phone and by a camera.</summary>
public sealed record CameraPair(string Id, Photo Phone, Photo Camera);

/// <summary>
/// PairCams (730 subjects, each photographed by a phone and by a camera; published with the fields image,
/// subject_idx, model). Read from its image-folder export (<c>metadata.csv</c>: file_name, subject_idx, model,
/// optional device), or from one folder per subject holding <c>phone.*</c> and <c>camera.*</c>. A subject
/// without exactly one phone and one camera image is skipped with the reason. Layouts in docs/datasets.md.
/// </summary>
public static class PairCamsDataset
{
    /// <summary>The layout `retrieval` names in its manifest.dataset (<see cref="DatasetLoader"/> does not read this layout).</summary>
    public const string Layout = "PairCams";

    /// <summary>
    /// Phone (true) or camera of each PairCams model, as the paper's reference code assigns them (lower-cased);
    /// kept as published so that results compare, though it puts "xt1032" (a Motorola Moto G) with the cameras.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, bool> PublishedSides = new Dictionary<string, bool>(StringComparer.Ordinal)
    {
        ["iphone xr"] = true, ["pixel 4"] = true, ["iphone se (3rd generation)"] = true, ["22101320g"] = true,
        ["iphone 12"] = true, ["iphone 14 pro"] = true, ["a065"] = true, ["iphone 12 pro"] = true,
        ["canon ixy 630"] = false, ["dsc-wx300"] = false, ["c8080wz"] = false, ["ex-fh20"] = false,
        ["canon eos 450d"] = false, ["u700,s700"] = false, ["xt1032"] = false, ["coolpix s200"] = false,
    };

    public static (IReadOnlyList<CameraPair> Pairs, IReadOnlyList<SkippedInput> Skipped) Read(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"PairCams folder '{root}' does not exist.");
        if (File.Exists(Path.Combine(root, "metadata.csv"))) return ReadExport(root);
        var pairs = new List<CameraPair>();
        var skipped = new List<SkippedInput>();
        foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var id = Path.GetFileName(folder);
            string? Find(string name) => Directory.EnumerateFiles(folder, name + ".*").Order(StringComparer.Ordinal).FirstOrDefault();
            var phone = Find("phone");
            var camera = Find("camera");
            if (phone is null || camera is null)
            {
                skipped.Add(new SkippedInput(folder, $"pair without {(phone is null ? "phone" : "camera")}.* image"));
                continue;
            }
            pairs.Add(new CameraPair(id, new Photo($"{id}/{Path.GetFileName(phone)}", phone), new Photo($"{id}/{Path.GetFileName(camera)}", camera)));
        }
        if (pairs.Count == 0) throw new InvalidDataException($"PairCams folder '{root}' holds no complete pair (<pair>/phone.* and <pair>/camera.*).");
        return (pairs, skipped);
    }

    private static (IReadOnlyList<CameraPair>, IReadOnlyList<SkippedInput>) ReadExport(string root)
    {
        var table = CsvTable.Read(Path.Combine(root, "metadata.csv"));
        int file = table.Column("file_name"), subject = table.Column("subject_idx"), model = table.Column("model");
        var device = table.OptionalColumn("device");
        var skipped = new List<SkippedInput>();
        var sides = new Dictionary<string, (string? Phone, string? Camera)>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            var path = Path.Combine(root, row[file]);
            bool? phone = device is { } d ? row[d].Trim().ToLowerInvariant() switch { "phone" => true, "camera" => false, _ => null }
                : PublishedSides.TryGetValue(row[model].Trim().ToLowerInvariant(), out var p) ? p : null;
            if (phone is null) { skipped.Add(new SkippedInput(path, $"model '{row[model]}' is neither a known phone nor a known camera; add a device column")); continue; }
            if (!File.Exists(path)) { skipped.Add(new SkippedInput(path, "listed in metadata.csv but missing")); continue; }
            var id = row[subject].Trim();
            var current = sides.GetValueOrDefault(id);
            sides[id] = phone.Value ? (current.Phone ?? path, current.Camera) : (current.Phone, current.Camera ?? path);
        }
        var pairs = new List<CameraPair>();
        foreach (var (id, (phonePath, cameraPath)) in sides.OrderBy(kv => int.TryParse(kv.Key, out var n) ? n : int.MaxValue).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (phonePath is null || cameraPath is null) { skipped.Add(new SkippedInput(Path.Combine(root, id), $"subject {id} has no {(phonePath is null ? "phone" : "camera")} image")); continue; }
            pairs.Add(new CameraPair(id, new Photo(Path.GetRelativePath(root, phonePath), phonePath), new Photo(Path.GetRelativePath(root, cameraPath), cameraPath)));
        }
        if (pairs.Count == 0) throw new InvalidDataException($"{Path.Combine(root, "metadata.csv")}: no subject has both a phone and a camera image.");
        return (pairs, skipped);
    }
}
