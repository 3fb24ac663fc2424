using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace TraceProbe.Processing;

/// <summary>
/// A paper operation made of stages applied in order, e.g. SHARPEN_2 = Sharpness(2) then JPEG95_444.
/// The trailing JPEG recompression of the paper's ops is an explicit stage here, not hidden inside an op,
/// so that <see cref="ProcessingTool"/> can write that stage's JPEG file itself.
/// </summary>
public sealed class ProcessingChain(string id, params ProcessingOp[] stages) : ProcessingOp
{
    public override string Id { get; } = id;

    public IReadOnlyList<ProcessingOp> Stages { get; } = stages.Length > 0
        ? stages
        : throw new ArgumentException("A chain needs at least one stage.", nameof(stages));

    public override Image<Rgb24> Apply(Image<Rgb24> image, ulong seed)
    {
        var current = image;
        foreach (var stage in Stages)
        {
            var next = stage.Apply(current, seed);
            if (!ReferenceEquals(current, image)) current.Dispose();
            current = next;
        }
        return current;
    }
}
