using System.Text.RegularExpressions;

namespace TraceProbe.Processing;

/// <summary>Turns the paper's operation ids (as written in encoders.json) into operations.</summary>
public static partial class ProcessingCatalog
{
    [GeneratedRegex(@"^JPEG(?<q>\d{1,3})_(?<s>420|444)$")]
    private static partial Regex JpegId();

    public static bool TryParse(string id, out ProcessingOp? op)
    {
        var jpeg = JpegId().Match(id);
        if (jpeg.Success)
        {
            op = new JpegCompression(int.Parse(jpeg.Groups["q"].Value),
                jpeg.Groups["s"].Value == "420" ? ChromaSubsampling.Ratio420 : ChromaSubsampling.Ratio444);
            return true;
        }
        op = null;
        return false;
    }

    public static ProcessingOp Parse(string id) => TryParse(id, out var op)
        ? op!
        : throw new ArgumentException($"Unknown processing operation '{id}'. Known: JPEG<quality>_<420|444>.", nameof(id));
}
