using TraceProbe.Common;
using TraceProbe.Images;

namespace TraceProbe.Processing;

/// <summary>
/// Turns the paper's operation ids (as written in encoders.json and on the command line) into operations.
/// Every paper op other than JPEG and MASK ends in an explicit JPEG95_444 stage of a <see cref="ProcessingChain"/>;
/// MASK_r is JPEG95_444 then the centre mask (the caller applies it after the encoder's resize and crop).
/// </summary>
public static class ProcessingCatalog
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

    private static JpegCompression Final() => new(95, ChromaSubsampling.Ratio444);

    /// <summary>The operation an id names (the grammar is <see cref="OpGrammar"/>, shared with the generator), or false.</summary>
    public static bool TryParse(string id, out ProcessingOp? op)
    {
        op = null;
        if (!OpGrammar.TryParse(id, out var parsed)) return false;
        op = parsed.Kind switch
        {
            OpKind.Jpeg => new JpegCompression(parsed.Quality, parsed.Subsampling420 ? ChromaSubsampling.Ratio420 : ChromaSubsampling.Ratio444),
            OpKind.Sharpen => new ProcessingChain(id, new Sharpness((float)parsed.Factor), Final()),
            OpKind.Mask => new ProcessingChain(id, Final(), new CentreMask(parsed.Percent / 100.0)),
            OpKind.ResizeHalf => new ProcessingChain(id, new Rescale(0.5, ResampleFilter.Bilinear), Final()),
            OpKind.ResizeDouble => new ProcessingChain(id, new Rescale(2.0, ResampleFilter.Bilinear), Final()),
            OpKind.InterpolationBilinear => new ProcessingChain(id, new Rescale(null, ResampleFilter.Bilinear), Final()),
            OpKind.InterpolationBicubic => new ProcessingChain(id, new Rescale(null, ResampleFilter.Bicubic), Final()),
            OpKind.InterpolationLanczos => new ProcessingChain(id, new Rescale(null, ResampleFilter.Lanczos), Final()),
            OpKind.InterpolationBox => new ProcessingChain(id, new Rescale(null, ResampleFilter.Box), Final()),
            _ => null,
        };
        return op is not null;
    }

    public static ProcessingOp Parse(string id) => TryParse(id, out var op)
        ? op!
        : throw new ArgumentException(
            $"Unknown processing operation '{id}'. Known: {string.Join(", ", PaperIds)}; the grammar: {OpGrammar.Description}.", nameof(id));
}
