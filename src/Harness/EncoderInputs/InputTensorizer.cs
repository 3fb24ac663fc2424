using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using SixLabors.ImageSharp.Processing.Processors.Transforms;
using TraceProbe.Encoders;

namespace TraceProbe.EncoderInputs;

/// <summary>
/// The encoder's own preprocessing, as torchvision/timm do it: resize (shorter side to crop/crop_pct, or squash),
/// centre crop, then planar NCHW floats normalised by mean/std or by a raw-pixel mean image.
/// </summary>
public sealed class InputTensorizer
{
    private readonly EncoderSpec _spec;
    private readonly float[]? _meanImage;

    /// <param name="meanImage">Planar [3, h, w] mean image in the model's channel order, when the spec uses one.</param>
    public InputTensorizer(EncoderSpec spec, float[]? meanImage = null)
    {
        _spec = spec;
        var p = spec.Preprocessing;
        if (p.MeanImageModel is not null)
        {
            if (meanImage is null || meanImage.Length != TensorLength)
                throw new ArgumentException($"Encoder '{spec.Id}' needs a mean image of {TensorLength} floats.", nameof(meanImage));
            _meanImage = meanImage;
        }
        else if (p.Mean is not { Length: 3 } || p.Std is not { Length: 3 })
        {
            throw new ArgumentException($"Encoder '{spec.Id}' has neither mean/std of length 3 nor a mean image.");
        }
    }

    public int Height => _spec.Input.Height;
    public int Width => _spec.Input.Width;
    public int TensorLength => 3 * Height * Width;

    /// <summary>Resizes and centre-crops to the encoder's input size (a new image).</summary>
    public Image<Rgb24> ResizeAndCrop(Image<Rgb24> image)
    {
        var p = _spec.Preprocessing;
        int w = image.Width, h = image.Height;
        int rw, rh;
        if (p.ResizeMode == Encoders.ResizeMode.Squash)
        {
            var scale = 1.0 / (p.CropPct ?? 1.0);
            rw = (int)Math.Floor(Width * scale);
            rh = (int)Math.Floor(Height * scale);
        }
        else
        {
            // torchvision Resize(int): the shorter side becomes `size`, the longer keeps the aspect ratio (truncated).
            var size = (int)Math.Floor(Math.Min(Height, Width) / (p.CropPct ?? 1.0));
            if (w <= h) { rw = size; rh = (int)(size * (double)h / w); }
            else { rh = size; rw = (int)(size * (double)w / h); }
        }
        var resized = image.Clone(x => x.Resize(new ResizeOptions
        {
            Size = new Size(rw, rh),
            Mode = SixLabors.ImageSharp.Processing.ResizeMode.Stretch,
            Sampler = Resampler(p.Interpolation),
        }));
        if (rw == Width && rh == Height) return resized;
        // torchvision CenterCrop: offsets rounded half to even of (size - crop) / 2.
        var left = (int)Math.Round((rw - Width) / 2.0);
        var top = (int)Math.Round((rh - Height) / 2.0);
        resized.Mutate(x => x.Crop(new Rectangle(left, top, Width, Height)));
        return resized;
    }

    /// <summary>Writes the planar, normalised tensor of an image already at the input size.</summary>
    public void Tensorize(Image<Rgb24> cropped, Span<float> destination)
    {
        if (cropped.Width != Width || cropped.Height != Height)
            throw new ArgumentException($"Expected a {Width}x{Height} image, got {cropped.Width}x{cropped.Height}.", nameof(cropped));
        if (destination.Length < TensorLength)
            throw new ArgumentException("Destination is too small.", nameof(destination));
        var p = _spec.Preprocessing;
        var bgr = string.Equals(p.ChannelOrder, "BGR", StringComparison.OrdinalIgnoreCase);
        int plane = Height * Width;
        Span<float> scale = stackalloc float[3];
        Span<float> offset = stackalloc float[3];
        for (var c = 0; c < 3; c++)
        {
            // (v/255 - mean) / std as one multiply-add; raw pixels when a mean image is subtracted afterwards.
            scale[c] = _meanImage is null ? 1f / (255f * p.Std![c]) : 1f;
            offset[c] = _meanImage is null ? -p.Mean![c] / p.Std![c] : 0f;
        }
        var dest = destination[..TensorLength];
        var pixels = System.Buffers.ArrayPool<Rgb24>.Shared.Rent(plane);
        try
        {
            cropped.CopyPixelDataTo(pixels.AsSpan(0, plane));
            for (var i = 0; i < plane; i++)
            {
                var px = pixels[i];
                // Planes are R,G,B or B,G,R; mean/std are given in the planes' order.
                float c0 = bgr ? px.B : px.R, c1 = px.G, c2 = bgr ? px.R : px.B;
                dest[i] = c0 * scale[0] + offset[0];
                dest[plane + i] = c1 * scale[1] + offset[1];
                dest[2 * plane + i] = c2 * scale[2] + offset[2];
            }
        }
        finally
        {
            System.Buffers.ArrayPool<Rgb24>.Shared.Return(pixels);
        }
        var mean = _meanImage;
        if (mean is not null)
            System.Numerics.Tensors.TensorPrimitives.Subtract(dest, mean, dest);
    }

    private static IResampler Resampler(Interpolation interpolation) => interpolation switch
    {
        Interpolation.Nearest => KnownResamplers.NearestNeighbor,
        Interpolation.Bilinear => KnownResamplers.Triangle,
        Interpolation.Bicubic => KnownResamplers.Bicubic,
        Interpolation.Lanczos => KnownResamplers.Lanczos3,
        Interpolation.Box => KnownResamplers.Box,
        _ => throw new NotSupportedException($"Interpolation '{interpolation}' has no resampler yet."),
    };
}
