using TraceProbe.Images;
using TraceProbe.Results;

namespace TraceProbe.Datasets;

/// <summary>One subject photographed twice: by a phone and by a camera.</summary>
public sealed record CameraPair(string Id, Photo Phone, Photo Camera);

/// <summary>
/// PairCams: one folder per pair holding <c>phone.*</c> and <c>camera.*</c> (layout in docs/datasets.md).
/// A pair missing either image is skipped with the reason.
/// </summary>
public static class PairCamsDataset
{
    public static (IReadOnlyList<CameraPair> Pairs, IReadOnlyList<SkippedInput> Skipped) Read(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"PairCams folder '{root}' does not exist.");
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
}
