using System.Numerics.Tensors;
using TraceProbe.EncoderInputs;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Processing;
using Xunit.Abstractions;

namespace TraceProbe.Tests.Pipeline;

/// <summary>
/// Real JPEG photos (cameras, encoders, 4:4:4/4:2:2/4:2:0, greyscale, progressive, restart markers, odd sizes)
/// through TraceProbe against the paper's own libraries (tools/reference_pipeline.py): every decode and every
/// deterministic processing is pixel-identical to Pillow 9.4, the encoder input equals torchvision's, and the
/// embeddings of the registered reference model equal PyTorch's.
/// </summary>
public sealed class ReferencePipelineTests(ITestOutputHelper log)
{
    public static TheoryData<string> PhotoKeys()
    {
        var data = new TheoryData<string>();
        foreach (var p in ReferencePipeline.Photos) data.Add(p.GetProperty("key").GetString()!);
        return data;
    }

    public static TheoryData<string, string> PhotoOps()
    {
        var data = new TheoryData<string, string>();
        foreach (var p in ReferencePipeline.Photos)
        foreach (var op in p.GetProperty("ops").EnumerateObject())
            data.Add(p.GetProperty("key").GetString()!, op.Name);
        return data;
    }

    [Fact]
    public void Fixture_holds_at_least_30_real_JPEG_photos_of_every_kind()
    {
        Assert.True(ReferencePipeline.Photos.Count >= 30, $"{ReferencePipeline.Photos.Count} photos");
        Assert.All(ReferencePipeline.Photos, p => Assert.True(JpegCodec.IsJpeg(File.ReadAllBytes(ReferencePipeline.PathOf(p.GetProperty("key").GetString()!)))));
    }

    [Theory]
    [MemberData(nameof(PhotoKeys))]
    public void Decoded_pixels_are_Pillows(string key)
    {
        var expected = ReferencePipeline.Photo(key);
        using var image = ImageLoader.Load(ReferencePipeline.PathOf(key));
        Assert.Equal((expected.GetProperty("size")[0].GetInt32(), expected.GetProperty("size")[1].GetInt32()), (image.Width, image.Height));
        Assert.Equal(expected.GetProperty("decoded").GetString(), ReferencePipeline.Sha256(image));
    }

    [Fact]
    public void A_CMYK_JPEG_decodes_as_Pillow_converts_it()
    {
        var extra = ReferencePipeline.Root.GetProperty("extra");
        Assert.NotEqual(0, extra.GetArrayLength());
        foreach (var file in extra.EnumerateArray())
        {
            using var image = ImageLoader.Load(Path.Combine(ReferencePipeline.Dir, file.GetProperty("file").GetString()!));
            Assert.Equal(file.GetProperty("decoded").GetString(), ReferencePipeline.Sha256(image));
        }
    }

    [Theory]
    [MemberData(nameof(PhotoOps))]
    public void Processing_of_a_real_JPEG_is_Pillows(string key, string op)
    {
        var photo = ReferencePipeline.Photo(key);
        var expected = photo.GetProperty("ops").GetProperty(op);
        using var source = ImageLoader.Load(ReferencePipeline.PathOf(key));
        using var actual = ProcessingCatalog.Parse(op).Apply(source, ulong.Parse(photo.GetProperty("op_seed").GetString()!));
        Assert.Equal((expected.GetProperty("size")[0].GetInt32(), expected.GetProperty("size")[1].GetInt32()), (actual.Width, actual.Height));
        Assert.Equal(expected.GetProperty("sha256").GetString(), ReferencePipeline.Sha256(actual));
    }

    [Fact]
    public void Encoder_inputs_are_torchvisions_within_1e_6()
    {
        var (expected, shape) = NpyFile.Read(Path.Combine(ReferencePipeline.Dir, "inputs.npy"));
        var tensorizer = new InputTensorizer(ReferencePipeline.Encoder);
        Assert.Equal([ReferencePipeline.Photos.Count, 3, tensorizer.Height, tensorizer.Width], shape);
        var tensor = new float[tensorizer.TensorLength];
        var worst = 0f;
        for (var i = 0; i < shape[0]; i++)
        {
            using var image = ImageLoader.Load(ReferencePipeline.PathOf(ReferencePipeline.Photos[i].GetProperty("key").GetString()!));
            using var input = tensorizer.ResizeAndCrop(image);
            tensorizer.Tensorize(input, tensor);
            var reference = expected.AsSpan(i * tensor.Length, tensor.Length);
            for (var j = 0; j < tensor.Length; j++) worst = Math.Max(worst, Math.Abs(tensor[j] - reference[j]));
        }
        log.WriteLine($"largest difference from torchvision: {worst:E2}");
        Assert.True(worst <= 1e-6f, $"largest difference from torchvision {worst:E2}");
    }

    [Fact]
    public void Embeddings_of_the_registered_reference_model_are_PyTorchs()
    {
        var (inputs, shape) = NpyFile.Read(Path.Combine(ReferencePipeline.Dir, "inputs.npy"));
        var (expected, eshape) = NpyFile.Read(Path.Combine(ReferencePipeline.Dir, "embeddings.npy"));
        using var encoder = new OnnxEncoder(ReferencePipeline.Encoder, ReferencePipeline.ModelsDir);
        var actual = new float[eshape[0] * eshape[1]];
        encoder.Embed(inputs, shape[0], actual);
        var worst = 1f;
        for (var i = 0; i < eshape[0]; i++)
            worst = Math.Min(worst, TensorPrimitives.CosineSimilarity(actual.AsSpan(i * eshape[1], eshape[1]), expected.AsSpan(i * eshape[1], eshape[1])));
        log.WriteLine($"lowest cosine to PyTorch: {worst:F7}");
        Assert.True(worst >= 0.99999f, $"lowest cosine to PyTorch {worst:F7}");
    }
}
