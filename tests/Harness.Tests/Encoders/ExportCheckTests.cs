using System.Numerics.Tensors;
using System.Security.Cryptography;
using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TraceProbe.EncoderInputs;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Tests.Support;
using Xunit.Abstractions;

namespace TraceProbe.Tests.Encoders;

/// <summary>
/// Seeded random-init torchvision models exported by tools/export_onnx.py (through tools/make_export_fixtures.py),
/// added to the harness by their encoders.json entries alone, against PyTorch's embeddings of the same
/// real photos (Pillow's centre crops, stored losslessly). Also the feed's NHWC and float16 conversions, the
/// stored DINOv2 position embedding, and the digest over external data.
/// </summary>
public sealed class ExportCheckTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "ExportCheck");
    private static readonly string Models = Path.Combine(Folder, "models");
    private static readonly JsonElement Reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "reference.json"))).RootElement;

    [Theory]
    [InlineData("export-check/resnet")]
    [InlineData("export-check/vit")]
    [InlineData("export-check/convnext")]
    [InlineData("export-check/resnet-external")]
    public void A_model_added_by_its_registry_entry_alone_gives_PyTorchs_embeddings(string id)
    {
        var spec = EncoderRegistry.Find(id) ?? throw new InvalidOperationException($"encoders.json has no '{id}'");
        var reference = Reference.GetProperty("encoders").GetProperty(id);

        var (got, expected) = EmbedCrops(spec, Models, reference);

        AssertSameEmbeddings(id, got, expected, minCosine: 0.99999);
    }

    [Theory]
    [InlineData("resnet-nhwc", "NHWC", "float32", 0.99999)]
    [InlineData("resnet-float16", "NCHW", "float16", 0.9999)]
    public void Nhwc_and_float16_inputs_give_the_nchw_float32_embedding(string variant, string layout, string dtype, double minCosine)
    {
        var nchw = EncoderRegistry.Find("export-check/resnet")!;
        var spec = nchw with
        {
            Model = nchw.Model with { Path = $"variants/{variant}.onnx", Sha256 = null },
            Input = nchw.Input with { Layout = Enum.Parse<InputLayout>(layout), DType = Enum.Parse<InputDType>(dtype, ignoreCase: true) },
        };
        var crops = Reference.GetProperty("encoders").GetProperty("export-check/resnet");

        var (fromNchw, _) = EmbedCrops(nchw, Models, crops);
        var (converted, _) = EmbedCrops(spec, Folder, crops);
        // PyTorch's own run of the variant graph's model, fed the same layout and dtype.
        var (_, torchVariant) = EmbedCrops(spec, Folder, Reference.GetProperty(variant));

        AssertSameEmbeddings(variant + " vs NCHW float32", converted, fromNchw, minCosine);
        AssertSameEmbeddings(variant + " vs PyTorch", converted, torchVariant, 0.99999);
    }

    [Fact]
    public void A_stored_dinov2_position_embedding_runs_as_the_interpolating_model()
    {
        var reference = Reference.GetProperty("dinov2-style");
        // The interpolation itself does not export (the exporter has no antialiased bicubic) ...
        Assert.Contains("_upsample_bicubic2d_aa", reference.GetProperty("export_with_interpolation").GetString());
        // ... and the stored embedding gives PyTorch the same numbers as interpolating in forward.
        Assert.Equal(0.0, reference.GetProperty("frozen_max_abs_diff").GetDouble(), 6);
        var resnet = EncoderRegistry.Find("export-check/vit")!;
        var spec = resnet with
        {
            Id = "dinov2-style",
            Model = new ModelFile("variants/dinov2-style.onnx", null, null, null, null),
            Output = resnet.Output with { Dim = 32 },
            Preprocessing = resnet.Preprocessing with { Interpolation = Interpolation.Bicubic },
        };

        var (got, expected) = EmbedCrops(spec, Folder, reference);

        AssertSameEmbeddings("dinov2-style", got, expected, 0.99999);
    }

    [Fact]
    public void Dynamic_batch_false_runs_the_graph_as_written_one_image_at_a_time()
    {
        using var fixedBatch = new OnnxEncoder(EncoderRegistry.Find("export-check/resnet-external")!, Models);
        using var anyBatch = new OnnxEncoder(EncoderRegistry.Find("export-check/resnet")!, Models);

        Assert.Equal((true, 1), (fixedBatch.BatchDimensionIsFixed, fixedBatch.BatchSize));
        Assert.Equal((false, 0), (anyBatch.BatchDimensionIsFixed, anyBatch.BatchSize));
    }

    [Fact]
    public void A_graph_fixed_at_a_batch_of_two_runs_as_written_with_a_padded_last_batch()
    {
        var nchw = EncoderRegistry.Find("export-check/resnet")!;
        var spec = nchw with
        {
            Model = nchw.Model with { Path = "variants/resnet-batch2.onnx", Sha256 = null },
            Input = nchw.Input with { DynamicBatch = false },
        };
        var crops = Reference.GetProperty("encoders").GetProperty(nchw.Id);
        using (var encoder = new OnnxEncoder(spec, Folder)) Assert.Equal(2, encoder.BatchSize);

        // Four photos in two calls, and three (a short last batch) in two.
        var (four, expected) = EmbedCrops(spec, Folder, crops);
        AssertSameEmbeddings("fixed batch 2", four, expected, 0.99999);
        using var again = new OnnxEncoder(spec, Folder);
        var tensorizer = new InputTensorizer(spec);
        var inputs = new float[3 * tensorizer.TensorLength];
        for (var i = 0; i < 3; i++)
        {
            using var crop = Image.Load<Rgb24>(Path.Combine(Folder, crops.GetProperty("crops")[i].GetString()!));
            tensorizer.Tensorize(crop, inputs.AsSpan(i * tensorizer.TensorLength, tensorizer.TensorLength));
        }
        var three = new float[3 * spec.Output.Dim];
        again.Embed(inputs, 3, three);
        for (var i = 0; i < three.Length; i++) Assert.Equal(four[i], three[i], 1e-6f);
    }

    [Fact]
    public void The_digest_covers_the_external_data()
    {
        var spec = EncoderRegistry.Find("export-check/resnet-external")!;
        var folder = TestData.TempFolder("external");
        var modelFolder = Path.Combine(folder, Path.GetDirectoryName(spec.Model.Path)!);
        Directory.CreateDirectory(modelFolder);
        foreach (var file in Directory.GetFiles(Path.Combine(Models, Path.GetDirectoryName(spec.Model.Path)!)))
            File.Copy(file, Path.Combine(modelFolder, Path.GetFileName(file)));
        var model = Path.Combine(modelFolder, "model.onnx");
        var concatenated = SHA256.HashData([.. File.ReadAllBytes(model), .. File.ReadAllBytes(model + ".data")]);
        Assert.Equal(Convert.ToHexStringLower(concatenated), ModelHash.Sha256(model));
        Assert.Equal(spec.Model.Sha256, ModelHash.Sha256(model));

        // Other weights under the same graph: the digest (a fresh path, so not cached) no longer matches.
        var data = File.ReadAllBytes(model + ".data");
        data[^4] ^= 0x40;
        var altered = Path.Combine(folder, "altered", Path.GetDirectoryName(spec.Model.Path)!);
        Directory.CreateDirectory(altered);
        File.Copy(model, Path.Combine(altered, "model.onnx"));
        File.WriteAllBytes(Path.Combine(altered, "model.onnx.data"), data);
        var error = Assert.Throws<InvalidDataException>(() => new OnnxEncoder(spec, Path.Combine(folder, "altered")));
        Assert.Contains("external data (model.onnx.data)", error.Message);
    }

    [Theory]
    [InlineData("NHWC", "float32", "input.layout NHWC")]
    [InlineData("NCHW", "float16", "input.dtype is 'float16'")]
    public void A_layout_or_dtype_the_graph_does_not_take_is_reported_with_its_field(string layout, string dtype, string expected)
    {
        var nchw = EncoderRegistry.Find("export-check/resnet")!;
        var spec = nchw with { Input = nchw.Input with { Layout = Enum.Parse<InputLayout>(layout), DType = Enum.Parse<InputDType>(dtype, ignoreCase: true) } };

        var error = Assert.Throws<InvalidDataException>(() => new OnnxEncoder(spec, Models));

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("export-check/resnet")]
    [InlineData("export-check/vit")]
    [InlineData("export-check/convnext")]
    public void Real_jpeg_photos_through_the_harness_pipeline_agree_with_PyTorch(string id)
    {
        // From the JPEG file on: the harness's decoder and resampler against Pillow's, then the export.
        var spec = EncoderRegistry.Find(id)!;
        var reference = Reference.GetProperty("encoders").GetProperty(spec.Id);
        using var encoder = new OnnxEncoder(spec, Models);
        var tensorizer = new InputTensorizer(spec);
        var photos = Reference.GetProperty("photos").EnumerateArray().Select(p => p.GetString()!).ToList();
        var inputs = new float[photos.Count * tensorizer.TensorLength];
        for (var i = 0; i < photos.Count; i++)
        {
            using var image = ImageLoader.Load(Path.Combine(PhotoCollection.BundledFolder, photos[i]));
            using var crop = tensorizer.ResizeAndCrop(image);
            tensorizer.Tensorize(crop, inputs.AsSpan(i * tensorizer.TensorLength, tensorizer.TensorLength));
        }
        var got = new float[photos.Count * spec.Output.Dim];
        encoder.Embed(inputs, photos.Count, got);

        var cosines = Cosines(got, Normalised(reference), spec.Output.Dim);
        output.WriteLine($"{spec.Id} from JPEG: cosine with PyTorch per photo {string.Join(", ", cosines.Select(c => c.ToString("F8")))}");
        Assert.All(cosines, c => Assert.True(c >= 0.99999, $"cosine {c}"));
    }

    private static (float[] Got, float[] Expected) EmbedCrops(EncoderSpec spec, string models, JsonElement reference)
    {
        using var encoder = new OnnxEncoder(spec, models);
        var tensorizer = new InputTensorizer(spec);
        var crops = reference.GetProperty("crops").EnumerateArray().Select(c => c.GetString()!).ToList();
        var inputs = new float[crops.Count * tensorizer.TensorLength];
        for (var i = 0; i < crops.Count; i++)
        {
            using var crop = Image.Load<Rgb24>(Path.Combine(Folder, crops[i]));
            tensorizer.Tensorize(crop, inputs.AsSpan(i * tensorizer.TensorLength, tensorizer.TensorLength));
        }
        var got = new float[crops.Count * spec.Output.Dim];
        encoder.Embed(inputs, crops.Count, got);
        return (got, Normalised(reference));
    }

    private static float[] Normalised(JsonElement reference)
    {
        var rows = reference.GetProperty("embeddings").EnumerateArray()
            .Select(r => r.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()).ToList();
        foreach (var row in rows) OnnxEncoder.L2Normalize(row);
        return rows.SelectMany(r => r).ToArray();
    }

    private static double[] Cosines(float[] a, float[] b, int dim) =>
        Enumerable.Range(0, a.Length / dim)
            .Select(i => (double)TensorPrimitives.CosineSimilarity(a.AsSpan(i * dim, dim), b.AsSpan(i * dim, dim))).ToArray();

    /// <summary>
    /// Same embeddings, and not trivially: the photos' embeddings must differ from each other far more than
    /// the two runs differ, so that agreement could not come from a network that ignores its input.
    /// </summary>
    private void AssertSameEmbeddings(string what, float[] got, float[] expected, double minCosine)
    {
        var dim = got.Length / Reference.GetProperty("photos").GetArrayLength();
        var cosines = Cosines(got, expected, dim);
        var difference = new float[got.Length];
        TensorPrimitives.Subtract(got, expected, difference);
        var maxAbs = Math.Abs(TensorPrimitives.MaxMagnitude(difference));
        var between = 1.0;
        for (var i = 0; i < cosines.Length; i++)
            for (var j = i + 1; j < cosines.Length; j++)
                between = Math.Min(between, 1 - TensorPrimitives.CosineSimilarity(got.AsSpan(i * dim, dim), got.AsSpan(j * dim, dim)));
        output.WriteLine($"{what}: lowest cosine {cosines.Min():F8}, max abs diff {maxAbs:E2} (unit vectors); photos differ by 1 - cosine >= {between:E2}");
        Assert.All(cosines, c => Assert.True(c >= minCosine, $"{what}: cosine {c} < {minCosine}"));
        Assert.True(between > 100 * (1 - cosines.Min()), $"{what}: photos' embeddings differ by only {between}");
    }
}
