using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TraceProbe.Encoders;
using TraceProbe.Processing;

namespace TraceProbe.EncoderInputs;

/// <summary>
/// The encoder's own preprocessing, as the paper's torchvision/timm transforms do it on a PIL image: resize (shorter
/// side to crop/crop_pct, or squash) with Pillow's resampling, centre crop, then planar NCHW float32 normalised by
/// mean/std in torchvision's order, or raw pixels minus a mean image (the NuGet ResNet-18's own preprocessing).
/// </summary>
public sealed class InputTensorizer
{
    private readonly EncoderSpec _spec;
    private readonly float[]? _meanImage;
    private readonly float[] _lookup;

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
        _lookup = Lookup(p, _meanImage is not null);
    }

    public int Height => _spec.Input.Height;
    public int Width => _spec.Input.Width;
    public int TensorLength => 3 * Height * Width;

    /// <summary>
    /// The size the image is resized to before the centre crop, as the paper's transforms compute it.
    /// Shortest: torchvision 0.14's <c>Resize(size)</c> on a PIL image, the shorter side becoming
    /// <c>size = floor(min(H, W) / crop_pct)</c> (timm's <c>scale_size</c>; the crop size without crop_pct) and the longer
    /// <c>int(size * long / short)</c> in double. Squash: timm's <c>crop_mode='squash'</c>, each side floor(side / crop_pct).
    /// </summary>
    public (int Width, int Height) ResizedSize(int width, int height)
    {
        var p = _spec.Preprocessing;
        var pct = p.CropPct ?? 1.0;
        if (p.ResizeMode == Encoders.ResizeMode.Squash)
            return ((int)Math.Floor(Width / pct), (int)Math.Floor(Height / pct));
        var size = (int)Math.Floor(Math.Min(Height, Width) / pct);
        return width <= height
            ? (size, (int)(size * (double)height / width))
            : ((int)(size * (double)width / height), size);
    }

    /// <summary>
    /// Resizes with Pillow's resampling of the entry's interpolation (<see cref="PillowResampler"/>, bit-exact), then
    /// centre-crops to the encoder's input size with torchvision's offsets <c>int(round((size - crop) / 2.0))</c>
    /// (Python's round: half to even). Returns a new image.
    /// </summary>
    public Image<Rgb24> ResizeAndCrop(Image<Rgb24> image)
    {
        var (rw, rh) = ResizedSize(image.Width, image.Height);
        if (rw < Width || rh < Height)
            throw new ArgumentException(
                $"Encoder '{_spec.Id}': a {image.Width}x{image.Height} image resizes to {rw}x{rh}, smaller than the {Width}x{Height} crop.", nameof(image));
        // torchvision's CenterCrop offsets; only the cropped window of the resized image is computed.
        var left = (int)Math.Round((rw - Width) / 2.0, MidpointRounding.ToEven);
        var top = (int)Math.Round((rh - Height) / 2.0, MidpointRounding.ToEven);
        return PillowResampler.Resize(image, rw, rh, Filter(_spec.Preprocessing.Interpolation), new Rectangle(left, top, Width, Height));
    }

    /// <summary>Writes the planar, normalised tensor of an image already at the input size.</summary>
    public void Tensorize(Image<Rgb24> cropped, Span<float> destination)
    {
        if (cropped.Width != Width || cropped.Height != Height)
            throw new ArgumentException($"Expected a {Width}x{Height} image, got {cropped.Width}x{cropped.Height}.", nameof(cropped));
        if (destination.Length < TensorLength)
            throw new ArgumentException("Destination is too small.", nameof(destination));
        var bgr = _spec.Preprocessing.ChannelOrder == ChannelOrder.BGR;
        var plane = Height * Width;
        var dest = destination[..TensorLength];
        // Row by row through pointers: the three table reads and plane writes per pixel are the whole cost, and
        // bounds checks on them took as long as the work.
        unsafe
        {
            fixed (float* lut = _lookup)
            fixed (float* planes = dest)
            {
                float* p0 = planes, p1 = planes + plane, p2 = planes + 2 * plane;
                float* lut0 = lut, lut1 = lut + 256, lut2 = lut + 512;
                var width = Width;
                cropped.ProcessPixelRows(rows =>
                {
                    for (var y = 0; y < rows.Height; y++)
                    {
                        fixed (Rgb24* row = rows.GetRowSpan(y))
                        {
                            var at = y * width;
                            var px = (byte*)row;
                            // Planes are R,G,B or B,G,R; mean/std are given in the planes' order.
                            int first = bgr ? 2 : 0, last = bgr ? 0 : 2;
                            for (var x = 0; x < width; x++, px += 3)
                            {
                                p0[at + x] = lut0[px[first]];
                                p1[at + x] = lut1[px[1]];
                                p2[at + x] = lut2[px[last]];
                            }
                        }
                    }
                });
            }
        }
        var mean = _meanImage;
        if (mean is not null)
            System.Numerics.Tensors.TensorPrimitives.Subtract(dest, mean, dest);
    }

    /// <summary>
    /// Per channel and 8-bit value, the float32 torchvision computes: ToTensor's <c>x.float().div(255)</c>, then
    /// Normalize's <c>sub_(mean).div_(std)</c>, each rounded to float32 in that order (a fused multiply-add would
    /// differ in the last bit). With a mean image the raw 0–255 value is kept and the image subtracted afterwards.
    /// </summary>
    private static float[] Lookup(Preprocessing p, bool meanImage)
    {
        var lut = new float[3 * 256];
        for (var c = 0; c < 3; c++)
        for (var v = 0; v < 256; v++)
        {
            if (meanImage) { lut[c * 256 + v] = v; continue; }
            var x = v / 255f;
            x -= p.Mean![c];
            lut[c * 256 + v] = x / p.Std![c];
        }
        return lut;
    }

    /// <summary>Every interpolation the registry allows has Pillow's filter; none is approximated.</summary>
    internal static ResampleFilter Filter(Interpolation interpolation) => interpolation switch
    {
        Interpolation.Nearest => ResampleFilter.Nearest,
        Interpolation.Bilinear => ResampleFilter.Bilinear,
        Interpolation.Bicubic => ResampleFilter.Bicubic,
        Interpolation.Lanczos => ResampleFilter.Lanczos,
        Interpolation.Box => ResampleFilter.Box,
        Interpolation.Hamming => ResampleFilter.Hamming,
        _ => throw new NotSupportedException($"Interpolation '{interpolation}' has no Pillow filter."),
    };
}
