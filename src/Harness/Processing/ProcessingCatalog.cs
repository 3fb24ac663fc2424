using System.Globalization;
using System.Text.RegularExpressions;
using TraceProbe.Images;

namespace TraceProbe.Processing;

/// <summary>
/// Turns the paper's operation ids (as written in encoders.json and on the command line) into operations.
/// Every paper op other than JPEG and MASK ends in an explicit JPEG95_444 stage of a <see cref="ProcessingChain"/>;
/// MASK_r is JPEG95_444 then the centre mask (the caller applies it after the encoder's resize and crop).
/// </summary>
public static partial class ProcessingCatalog
{
    /// <summary>The paper's operations, in the paper's order.</summary>
    public static IReadOnlyList<string> PaperIds { get; } =
    [
        "JPEG75_420", "JPEG75_444", "JPEG85_420", "JPEG85_444", "JPEG95_420", "JPEG95_444",
        "SHARPEN_2", "SHARPEN_4",
        "RESIZE_HALF", "RESIZE_DOUBLE",
        "INTERPOLATION_BILINEAR", "INTERPOLATION_BICUBIC", "INTERPOLATION_LANCZOS", "INTERPOLATION_BOX",
        "MASK_90", "MASK_95",
    ];

    [GeneratedRegex(@"^JPEG(?<q>\d{1,3})_(?<s>420|444)$")]
    private static partial Regex JpegId();

    [GeneratedRegex(@"^SHARPEN_(?<f>\d+(\.\d+)?)$")]
    private static partial Regex SharpenId();

    [GeneratedRegex(@"^MASK_(?<r>\d{1,2})$")]
    private static partial Regex MaskId();

    private static JpegCompression Final() => new(95, ChromaSubsampling.Ratio444);

    public static bool TryParse(string id, out ProcessingOp? op)
    {
        op = null;
        var jpeg = JpegId().Match(id);
        if (jpeg.Success)
        {
            var q = int.Parse(jpeg.Groups["q"].Value, CultureInfo.InvariantCulture);
            if (q is < 1 or > 100) return false;
            op = new JpegCompression(q, jpeg.Groups["s"].Value == "420" ? ChromaSubsampling.Ratio420 : ChromaSubsampling.Ratio444);
            return true;
        }
        var sharpen = SharpenId().Match(id);
        if (sharpen.Success)
        {
            op = new ProcessingChain(id, new Sharpness(float.Parse(sharpen.Groups["f"].Value, CultureInfo.InvariantCulture)), Final());
            return true;
        }
        var mask = MaskId().Match(id);
        if (mask.Success)
        {
            var percent = int.Parse(mask.Groups["r"].Value, CultureInfo.InvariantCulture);
            if (percent is < 1 or > 99) return false;
            op = new ProcessingChain(id, Final(), new CentreMask(percent / 100.0));
            return true;
        }
        op = id switch
        {
            "RESIZE_HALF" => new ProcessingChain(id, new Rescale(0.5, ResampleFilter.Bilinear), Final()),
            "RESIZE_DOUBLE" => new ProcessingChain(id, new Rescale(2.0, ResampleFilter.Bilinear), Final()),
            "INTERPOLATION_BILINEAR" => new ProcessingChain(id, new Rescale(null, ResampleFilter.Bilinear), Final()),
            "INTERPOLATION_BICUBIC" => new ProcessingChain(id, new Rescale(null, ResampleFilter.Bicubic), Final()),
            "INTERPOLATION_LANCZOS" => new ProcessingChain(id, new Rescale(null, ResampleFilter.Lanczos), Final()),
            "INTERPOLATION_BOX" => new ProcessingChain(id, new Rescale(null, ResampleFilter.Box), Final()),
            _ => null,
        };
        return op is not null;
    }

    public static ProcessingOp Parse(string id) => TryParse(id, out var op)
        ? op!
        : throw new ArgumentException(
            $"Unknown processing operation '{id}'. Known: {string.Join(", ", PaperIds)}, JPEG<1-100>_<420|444>, " +
            "SHARPEN_<factor>, MASK_<percent>.", nameof(id));
}
