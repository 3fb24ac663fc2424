using System.Numerics.Tensors;
using TraceProbe.Cli;
using TraceProbe.Embeddings;
using TraceProbe.EncoderInputs;
using TraceProbe.Encoders;
using TraceProbe.Experiments;
using TraceProbe.Images;
using TraceProbe.Tests.Support;
using Xunit.Abstractions;

namespace TraceProbe.Tests.Pipeline;

/// <summary>`traceprobe extract` on the reference photos against PyTorch and torchvision (tools/reference_pipeline.py).</summary>
public sealed class ExtractTests(ITestOutputHelper log)
{
    /// <summary>The reference photos plus a truncated JPEG that Pillow refuses, in a fresh folder.</summary>
    private static string PhotoFolder()
    {
        var folder = TestData.TempFolder("extract");
        foreach (var p in ReferencePipeline.Photos)
        {
            var key = p.GetProperty("key").GetString()!;
            File.Copy(ReferencePipeline.PathOf(key), Path.Combine(folder, key));
        }
        var whole = File.ReadAllBytes(ReferencePipeline.PathOf(ReferencePipeline.Photos[0].GetProperty("key").GetString()!));
        File.WriteAllBytes(Path.Combine(folder, "broken.jpg"), whole[..(whole.Length / 2)]);
        return folder;
    }

    private static float LowestCosine(EmbeddingSet actual, string referenceFile)
    {
        var (expected, shape) = NpyFile.Read(Path.Combine(ReferencePipeline.Dir, referenceFile));
        Assert.Equal([actual.Count, actual.Dim], shape);
        var worst = 1f;
        for (var i = 0; i < actual.Count; i++)
            worst = Math.Min(worst, TensorPrimitives.CosineSimilarity(
                actual.Embeddings.AsSpan(i * actual.Dim, actual.Dim), expected.AsSpan(i * actual.Dim, actual.Dim)));
        return worst;
    }

    public static TheoryData<string> Ops()
    {
        var data = new TheoryData<string>();
        foreach (var op in ReferencePipeline.Photos[0].GetProperty("ops").EnumerateObject()) data.Add(op.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public async Task Embeddings_of_processed_photos_are_PyTorchs(string op)
    {
        var folder = PhotoFolder();
        using var encoder = new OnnxEncoder(ReferencePipeline.Encoder, ReferencePipeline.ModelsDir);
        var result = await FeatureExtraction.RunAsync(encoder, PhotoCollection.FromFolder(folder), new FeatureExtractionOptions { Op = op });
        var worst = LowestCosine(result.Embeddings, $"embeddings.{op}.npy");
        log.WriteLine($"{op}: lowest cosine to PyTorch {worst:F7}");
        Assert.True(worst >= 0.99999f, $"{op}: lowest cosine to PyTorch {worst:F7}");
    }

    [Fact]
    public async Task Command_writes_embeddings_and_inputs_equal_to_PyTorchs_skips_what_Pillow_refuses_and_resumes()
    {
        var folder = PhotoFolder();
        var outFolder = TestData.TempFolder("extract-out");
        var outPath = Path.Combine(outFolder, "emb.safetensors");
        var inputsPath = Path.Combine(outFolder, "inputs.npy");
        string[] args = ["extract", "--encoder", ReferencePipeline.EncoderId, "--images", folder, "--models", ReferencePipeline.ModelsDir,
            "--batch-size", "4", "--out", outPath, "--inputs-out", inputsPath, "--quiet"];
        Assert.Equal(ExitCodes.Success, await TraceProbeApp.RunAsync(args));

        var file = EmbeddingsFile.Read(outPath);
        var set = file.Set;
        Assert.Equal(ReferencePipeline.Photos.Select(p => p.GetProperty("key").GetString()), set.Keys);
        Assert.Equal(set.Keys, file.Photos);
        Assert.All(file.Crops, c => Assert.Equal(0, c));
        Assert.Equal(ReferencePipeline.EncoderId, file.Encoder);
        Assert.Contains("broken.jpg", set.Metadata["skipped"]);
        var worst = LowestCosine(set, "embeddings.npy");
        Assert.True(worst >= 0.99999f, $"lowest cosine to PyTorch {worst:F7}");

        var (inputs, shape) = NpyFile.Read(inputsPath);
        var (expected, expectedShape) = NpyFile.Read(Path.Combine(ReferencePipeline.Dir, "inputs.npy"));
        Assert.Equal(expectedShape, shape);
        var largest = 0f;
        for (var i = 0; i < inputs.Length; i++) largest = Math.Max(largest, Math.Abs(inputs[i] - expected[i]));
        Assert.True(largest <= 1e-6f, $"inputs differ from torchvision's by up to {largest:E2}");

        // A rerun of the same job finds every chunk in OUT.cache/ and writes the same file (metadata included), inputs too.
        var first = File.ReadAllBytes(outPath);
        File.Delete(inputsPath);
        var again = await WholeImageExtraction.RunAsync(new ExtractionSettings
        {
            Encoder = ReferencePipeline.EncoderId, Images = folder, Out = outPath, InputsOut = inputsPath, BatchSize = 4,
            Models = ReferencePipeline.ModelsDir,
        }, SilentObserver.Instance);
        Assert.Equal(0, again.ComputedChunks);
        Assert.True(again.CachedChunks > 0);
        Assert.Equal(first, File.ReadAllBytes(outPath));
        Assert.Equal(inputs, NpyFile.Read(inputsPath).Values);
    }

    [Fact]
    public async Task Unknown_encoder_or_op_is_a_usage_error()
    {
        var folder = PhotoFolder();
        Assert.Equal(ExitCodes.Usage, await TraceProbeApp.RunAsync(["extract", "--encoder", "no-such-encoder", "--images", folder, "--out", "x.safetensors"]));
        Assert.Equal(ExitCodes.Usage, await TraceProbeApp.RunAsync(["extract", "--encoder", ReferencePipeline.EncoderId, "--images", folder,
            "--models", ReferencePipeline.ModelsDir, "--op", "BLUR_3", "--out", "x.safetensors"]));
    }
}
