using System.Numerics.Tensors;
using SixLabors.ImageSharp.Processing;
using TraceProbe.EncoderInputs;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Tests.Support;
using Xunit.Abstractions;

namespace TraceProbe.Tests.Encoders;

/// <summary>The NuGet ResNet18 through ONNX Runtime, with the preprocessing registered for it.</summary>
public sealed class OnnxEncoderTests
{
    [Fact]
    public void Resnet18_is_installed_beside_the_program()
    {
        Assert.True(ModelsFolder.IsInstalled(TestData.Resnet18, TestData.ModelsFolder),
            $"expected {ModelsFolder.PathOf(TestData.Resnet18, TestData.ModelsFolder)}");
    }

    [Fact]
    public void Mean_image_is_planar_bgr_imagenet_mean()
    {
        using var encoder = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder);
        var mean = encoder.MeanImage!;
        var plane = 224 * 224;
        Assert.Equal(3 * plane, mean.Length);
        // ImageNet channel means are about B 104, G 117, R 124: the planes are in BGR order.
        var b = TensorPrimitives.Sum(mean.AsSpan(0, plane)) / plane;
        var g = TensorPrimitives.Sum(mean.AsSpan(plane, plane)) / plane;
        var r = TensorPrimitives.Sum(mean.AsSpan(2 * plane, plane)) / plane;
        Assert.InRange(b, 98, 110);
        Assert.InRange(g, 110, 122);
        Assert.InRange(r, 118, 130);
    }

    [Fact]
    public void Embeddings_have_the_registered_dimension_and_unit_norm()
    {
        using var encoder = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder);
        var tensorizer = new InputTensorizer(encoder.Spec, encoder.MeanImage);
        var inputs = new float[2 * tensorizer.TensorLength];
        var photos = TestData.Photos;
        for (var i = 0; i < 2; i++)
        {
            using var image = ImageLoader.Load(photos[i].Path);
            using var input = tensorizer.ResizeAndCrop(image);
            tensorizer.Tensorize(input, inputs.AsSpan(i * tensorizer.TensorLength, tensorizer.TensorLength));
        }
        var embeddings = new float[2 * 512];
        encoder.Embed(inputs, 2, embeddings);
        Assert.Equal(1f, TensorPrimitives.Norm(embeddings.AsSpan(0, 512)), 4);
        Assert.Equal(1f, TensorPrimitives.Norm(embeddings.AsSpan(512, 512)), 4);
        Assert.True(TensorPrimitives.CosineSimilarity(embeddings.AsSpan(0, 512), embeddings.AsSpan(512, 512)) < 0.99f,
            "two different photos gave (almost) the same embedding");
    }

    [Fact]
    public void Crops_of_one_photo_are_nearer_each_other_than_crops_of_other_photos()
    {
        // The check that the preprocessing (channel order, mean image, resize) makes the features meaningful.
        using var encoder = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder);
        var tensorizer = new InputTensorizer(encoder.Spec, encoder.MeanImage);
        // 8 photos spread over the class folders (neighbours within one class would be too alike to tell apart).
        var photos = TestData.Photos.Where((_, i) => i % (TestData.Photos.Count / 8) == 0).Take(8).ToList();
        const int crops = 2;
        var n = photos.Count * crops;
        var inputs = new float[n * tensorizer.TensorLength];
        for (var p = 0; p < photos.Count; p++)
        {
            using var image = ImageLoader.Load(photos[p].Path);
            for (var c = 0; c < crops; c++)
            {
                var side = (int)(0.7 * Math.Min(image.Width, image.Height));
                // Opposite corners: overlapping but different views of the same scene.
                var x = c == 0 ? 0 : image.Width - side;
                var y = c == 0 ? 0 : image.Height - side;
                using var crop = image.Clone(ctx => ctx.Crop(new SixLabors.ImageSharp.Rectangle(x, y, side, side)));
                using var input = tensorizer.ResizeAndCrop(crop);
                tensorizer.Tensorize(input, inputs.AsSpan((p * crops + c) * tensorizer.TensorLength, tensorizer.TensorLength));
            }
        }
        var e = new float[n * 512];
        encoder.Embed(inputs, n, e);
        var correct = 0;
        for (var i = 0; i < n; i++)
        {
            var best = -1;
            var bestSim = float.NegativeInfinity;
            for (var j = 0; j < n; j++)
            {
                if (j == i) continue;
                var sim = TensorPrimitives.Dot(e.AsSpan(i * 512, 512), e.AsSpan(j * 512, 512));
                if (sim > bestSim) { bestSim = sim; best = j; }
            }
            if (best / crops == i / crops) correct++;
        }
        Assert.True(correct >= n - 1, $"only {correct}/{n} crops have a crop of the same photo as nearest neighbour");
    }

    [Fact]
    public void A_wrong_output_name_is_reported_with_the_names_the_model_has()
    {
        var spec = TestData.Resnet18 with { Output = TestData.Resnet18.Output with { Name = "logits" } };
        var error = Assert.Throws<InvalidDataException>(() => new OnnxEncoder(spec, TestData.ModelsFolder));
        Assert.Contains("output 'logits' not found", error.Message);
        Assert.Contains("Pooling395_Output_0", error.Message);
    }

    [Fact]
    public void A_missing_model_says_how_to_install_it()
    {
        var spec = TestData.Resnet18 with { Model = TestData.Resnet18.Model with { Path = "nowhere/missing.onnx" } };
        var error = Assert.Throws<EncoderNotInstalledException>(() => new OnnxEncoder(spec, TestData.ModelsFolder));
        Assert.Contains("missing.onnx", error.Message);
        Assert.Contains("NuGet package", error.Message);
    }
}

public sealed class BatchRewriteTests
{
    [Fact]
    public void The_fixed_batch_of_the_nuget_resnet18_becomes_symbolic_with_the_same_embeddings()
    {
        using var batched = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder);
        using var single = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder, new EncoderRuntimeOptions { AllowBatchRewrite = false });
        Assert.False(batched.BatchDimensionIsFixed);
        Assert.True(single.BatchDimensionIsFixed);

        var rng = new TraceProbe.Common.SeededRandom(5);
        var inputs = new float[3 * batched.InputLength];
        for (var i = 0; i < inputs.Length; i++) inputs[i] = (float)(rng.NextDouble() * 255 - 120);
        var a = new float[3 * 512];
        var b = new float[3 * 512];
        batched.Embed(inputs, 3, a);
        single.Embed(inputs, 3, b);
        for (var i = 0; i < a.Length; i++) Assert.Equal(b[i], a[i], 5);
    }
}

public sealed class DeviceTests(ITestOutputHelper output)
{
    /// <summary>Whether this machine has the NVIDIA driver and CUDA runtime that ONNX Runtime's CUDA provider loads.</summary>
    private static bool CudaPresent() =>
        System.Runtime.InteropServices.NativeLibrary.TryLoad("libcuda.so.1", out _) &&
        (System.Runtime.InteropServices.NativeLibrary.TryLoad("libcudart.so.12", out _) || System.Runtime.InteropServices.NativeLibrary.TryLoad("libcudart.so", out _));

    [Fact]
    public void Cuda_runs_where_cuda_is_present_and_is_a_clear_error_where_it_is_not()
    {
        var options = new EncoderRuntimeOptions { Device = "cuda:0" };
        if (CudaPresent())
        {
            output.WriteLine("branch: CUDA present; the CUDA session must run ResNet-18.");
            using var encoder = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder, options);
            var embedding = new float[512];
            encoder.Embed(new float[encoder.InputLength], 1, embedding);
            Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(embedding), 3);
        }
        else
        {
            output.WriteLine("branch: no CUDA libraries; asking for cuda:0 must fail with an error that names both devices.");
            var error = Assert.Throws<InvalidOperationException>(() => new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder, options));
            Assert.Contains("--device cuda:0", error.Message);
            Assert.Contains("--device cpu", error.Message);
        }
    }

    [Fact]
    public void Cpu_is_the_default_device() => Assert.Equal("cpu", new EncoderRuntimeOptions().Device);

    [Fact]
    public void An_unknown_device_is_a_settings_error_naming_the_choices()
    {
        var error = Assert.Throws<TraceProbe.Common.SettingsException>(() => new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder, new EncoderRuntimeOptions { Device = "tpu" }));
        Assert.Contains("--device 'tpu'", error.Message);
        Assert.Contains("'cpu' or 'cuda[:N]'", error.Message);
    }

    [Theory]
    [InlineData("cpu", false, 0)]
    [InlineData("CUDA", true, 0)]
    [InlineData("cuda:3", true, 3)]
    public void A_device_is_read_as_cpu_or_a_numbered_gpu(string text, bool cuda, int id) =>
        Assert.Equal(new TraceProbe.Common.ComputeDevice(cuda, id), TraceProbe.Common.ComputeDevice.Parse(text));

    [Theory]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    [InlineData("gpu")]
    public void A_malformed_device_names_the_setting(string text) =>
        Assert.Contains("--device", Assert.Throws<TraceProbe.Common.SettingsException>(() => TraceProbe.Common.ComputeDevice.Parse(text)).Message);
}

public sealed class ModelHashTests
{
    [Fact]
    public void A_model_whose_hash_differs_from_the_registry_is_refused_with_both_hashes()
    {
        var wrong = new string('0', 64);
        var spec = TestData.Resnet18 with { Model = TestData.Resnet18.Model with { Sha256 = wrong } };
        var error = Assert.Throws<InvalidDataException>(() => new OnnxEncoder(spec, TestData.ModelsFolder));
        Assert.Contains(wrong, error.Message);
        Assert.Contains(ModelHash.Sha256(ModelsFolder.PathOf(spec, TestData.ModelsFolder)), error.Message);
    }

    [Fact]
    public void The_right_hash_is_accepted()
    {
        var actual = ModelHash.Sha256(ModelsFolder.PathOf(TestData.Resnet18, TestData.ModelsFolder));
        var spec = TestData.Resnet18 with { Model = TestData.Resnet18.Model with { Sha256 = actual.ToUpperInvariant() } };
        using var encoder = new OnnxEncoder(spec, TestData.ModelsFolder, new EncoderRuntimeOptions { AllowBatchRewrite = false });
        Assert.Equal(512, encoder.Dim);
    }
}

public sealed class ThreadDeterminismTests
{
    [Fact]
    public void Embeddings_do_not_depend_on_the_number_of_threads()
    {
        using var one = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder, new EncoderRuntimeOptions { IntraOpThreads = 1 });
        using var two = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder, new EncoderRuntimeOptions { IntraOpThreads = 2 });
        var rng = new TraceProbe.Common.SeededRandom(8);
        var inputs = new float[4 * one.InputLength];
        for (var i = 0; i < inputs.Length; i++) inputs[i] = (float)(rng.NextDouble() * 255 - 120);
        var a = new float[4 * 512];
        var b = new float[4 * 512];
        one.Embed(inputs, 4, a);
        two.Embed(inputs, 4, b);
        Assert.Equal(a, b);
    }
}
