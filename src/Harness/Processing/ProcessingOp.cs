using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace TraceProbe.Processing;

/// <summary>
/// A processing trace of the paper (e.g. JPEG75_420), applied to the full-resolution decoded source image,
/// before the encoder's own preprocessing.
/// </summary>
public abstract class ProcessingOp
{
    /// <summary>The paper's id of the operation, e.g. <c>JPEG95_444</c>.</summary>
    public abstract string Id { get; }

    /// <summary>Returns a new processed image; <paramref name="seed"/> feeds operations that draw random numbers.</summary>
    public abstract Image<Rgb24> Apply(Image<Rgb24> image, ulong seed);

    public override string ToString() => Id;
}
