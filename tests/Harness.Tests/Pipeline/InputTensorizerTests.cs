using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TraceProbe.EncoderInputs;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Pipeline;

/// <summary>The encoder transform against torchvision 0.14 on PIL images (and timm's crop_pct/squash modes).</summary>
public sealed class InputTensorizerTests
{
    private static EncoderSpec Spec(string resizeMode, string interpolation, double? cropPct, int height = 224, int width = 224,
        float[]? mean = null, float[]? std = null) =>
        ReferencePipeline.Encoder with
        {
            Input = ReferencePipeline.Encoder.Input with { Height = height, Width = width },
            Preprocessing = ReferencePipeline.Encoder.Preprocessing with
            {
                ResizeMode = resizeMode == "squash" ? ResizeMode.Squash : ResizeMode.Shortest,
                Interpolation = Enum.Parse<Interpolation>(interpolation, ignoreCase: true),
                CropPct = cropPct,
                Mean = mean ?? [0.485f, 0.456f, 0.406f],
                Std = std ?? [0.229f, 0.224f, 0.225f],
            },
        };

    public static TheoryData<int> Variants()
    {
        var data = new TheoryData<int>();
        var count = ReferencePipeline.Root.GetProperty("transforms").GetProperty("variants").GetArrayLength();
        for (var i = 0; i < count; i++) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_interpolation_and_timm_mode_is_torchvisions_on_PIL(int variant)
    {
        var t = ReferencePipeline.Root.GetProperty("transforms");
        var v = t.GetProperty("variants")[variant];
        var size = t.GetProperty("size");
        var spec = Spec(v.GetProperty("resize_mode").GetString()!, v.GetProperty("interpolation").GetString()!,
            v.TryGetProperty("crop_pct", out var pct) ? pct.GetDouble() : null, size[0].GetInt32(), size[1].GetInt32(),
            t.GetProperty("mean").EnumerateArray().Select(x => (float)x.GetDouble()).ToArray(),
            t.GetProperty("std").EnumerateArray().Select(x => (float)x.GetDouble()).ToArray());
        var (expected, shape) = NpyFile.Read(Path.Combine(ReferencePipeline.Dir, "transforms.npy"));
        var tensorizer = new InputTensorizer(spec);
        var photos = t.GetProperty("photos").EnumerateArray().Select(p => p.GetString()!).ToList();
        var tensor = new float[tensorizer.TensorLength];
        for (var p = 0; p < photos.Count; p++)
        {
            using var image = ImageLoader.Load(ReferencePipeline.PathOf(photos[p]));
            using var input = tensorizer.ResizeAndCrop(image);
            tensorizer.Tensorize(input, tensor);
            var reference = expected.AsSpan((variant * shape[1] + p) * tensor.Length, tensor.Length);
            for (var j = 0; j < tensor.Length; j++)
                Assert.True(Math.Abs(tensor[j] - reference[j]) <= 1e-6f,
                    $"{v} on {photos[p]}: value {j} is {tensor[j]}, torchvision {reference[j]}");
        }
    }

    [Theory]
    // torchvision: the shorter side becomes the size, the longer int(size * long / short).
    [InlineData("shortest", null, 500, 375, 298, 224)]
    [InlineData("shortest", null, 375, 500, 224, 298)]
    [InlineData("shortest", null, 259, 194, 299, 224)]
    [InlineData("shortest", null, 224, 300, 224, 300)]
    // timm: scale size floor(224 / 0.875) = 256 for the shorter side; squash: both sides floor(224 / 0.9) = 248.
    [InlineData("shortest", 0.875, 500, 375, 341, 256)]
    [InlineData("squash", 0.9, 500, 375, 248, 248)]
    [InlineData("squash", null, 500, 375, 224, 224)]
    public void Resized_size_rounds_as_torchvision_and_timm(string mode, double? cropPct, int w, int h, int rw, int rh) =>
        Assert.Equal((rw, rh), new InputTensorizer(Spec(mode, "bicubic", cropPct)).ResizedSize(w, h));

    [Fact]
    public void Centre_crop_offset_rounds_half_to_even_as_Python()
    {
        // 226 wide -> offset (226 - 224) / 2 = 1; 227 -> round(1.5) = 2; 225 -> round(0.5) = 0 (Python's round).
        foreach (var (width, offset) in new[] { (225, 0), (226, 1), (227, 2), (229, 2) })
        {
            var spec = Spec("shortest", "nearest", null, height: 4, width: 224);
            using var image = new Image<Rgb24>(width, 4);
            for (var x = 0; x < width; x++)
            for (var y = 0; y < 4; y++) image[x, y] = new Rgb24((byte)(x % 256), (byte)(x / 256), 0);
            using var cropped = new InputTensorizer(spec).ResizeAndCrop(image);
            Assert.Equal(offset, cropped[0, 0].R + 256 * cropped[0, 0].G);
        }
    }

    [Fact]
    public void Mean_image_encoders_get_raw_pixels_minus_the_mean_in_their_channel_order()
    {
        var spec = TestData.Resnet18;
        var plane = spec.Input.Height * spec.Input.Width;
        var mean = Enumerable.Range(0, 3 * plane).Select(i => (float)(i / plane)).ToArray(); // 0, 1, 2 per plane
        var tensorizer = new InputTensorizer(spec, mean);
        using var image = new Image<Rgb24>(spec.Input.Width, spec.Input.Height, new Rgb24(200, 100, 50));
        var tensor = new float[tensorizer.TensorLength];
        tensorizer.Tensorize(image, tensor);
        // BGR planes: 50 - 0, 100 - 1, 200 - 2.
        Assert.Equal([50f, 99f, 198f], new[] { tensor[0], tensor[plane], tensor[2 * plane] });
    }
}
