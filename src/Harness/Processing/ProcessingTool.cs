using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TraceProbe.Images;

namespace TraceProbe.Processing;

/// <summary>What <c>traceprobe process</c> does: one operation on one file, written so it can be inspected.</summary>
public static class ProcessingTool
{
    /// <summary>
    /// Applies <paramref name="opId"/> to the image at <paramref name="input"/>. When the op ends in a JPEG stage the
    /// output is that JPEG file itself (whatever the extension); otherwise the decoded pixels are written, as PNG
    /// unless the extension names another format ImageSharp writes (.bmp, .tif, ...).
    /// </summary>
    public static void Run(string opId, string input, string output, ulong seed)
    {
        var op = ProcessingCatalog.Parse(opId);
        var stages = op is ProcessingChain chain ? chain.Stages : [op];
        using var source = ImageLoader.Load(input);
        var current = source;
        try
        {
            if (stages[^1] is JpegCompression jpeg)
            {
                for (var i = 0; i < stages.Count - 1; i++) current = Next(current, stages[i], seed, source);
                using var file = File.Create(output);
                jpeg.Encode(current, file);
                return;
            }
            foreach (var stage in stages) current = Next(current, stage, seed, source);
            var ext = Path.GetExtension(output).ToLowerInvariant();
            if (ext is "" or ".png") current.SaveAsPng(output);
            else current.Save(output);
        }
        finally
        {
            if (!ReferenceEquals(current, source)) current.Dispose();
        }
    }

    private static Image<Rgb24> Next(Image<Rgb24> current, ProcessingOp stage, ulong seed, Image<Rgb24> source)
    {
        var next = stage.Apply(current, seed);
        if (!ReferenceEquals(current, source)) current.Dispose();
        return next;
    }
}
