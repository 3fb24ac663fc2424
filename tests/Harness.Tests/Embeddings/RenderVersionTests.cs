using System.Security.Cryptography;
using System.Text;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Embeddings;

/// <summary>The rendering code's version is part of every cache key: a fix to the renderer recomputes, it never reuses.</summary>
public sealed class RenderVersionTests
{
    private static EmbeddingRequest Request(IReadOnlyList<Photo> photos) => new(
        "render-version", photos,
        photos.SelectMany((p, i) => new[] { new PlannedItem($"{p.Key}#a", i, "x"), new PlannedItem($"{p.Key}#b", i, "y") }).ToList(),
        // Any deterministic renderer will do: the test is about which chunks are computed, not about the pixels.
        (source, item, tensor) => tensor.Fill(item + source.Width % 7),
        "render-version-test/1");

    [Fact]
    public async Task A_changed_code_version_misses_every_chunk_the_old_version_cached()
    {
        var photos = TestData.Photos.Take(2).ToList();
        using var encoder = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder);
        var cache = new EmbeddingCache(TestData.TempFolder("render-version"));
        var pipeline = new EmbeddingPipeline(encoder, new EmbeddingPipelineOptions { BatchSize = 1, ChunkSize = 2 }, cache);
        var request = Request(photos);

        var first = await pipeline.RunAsync(request, Shard.All);
        var again = await pipeline.RunAsync(request, Shard.All);
        var bumped = await pipeline.RunAsync(request with { CodeVersion = request.CodeVersion + "-bumped" }, Shard.All);

        Assert.Equal((2, 0), (first.ComputedChunks, first.CachedChunks));
        Assert.Equal((0, 2), (again.ComputedChunks, again.CachedChunks));
        Assert.Equal((2, 0), (bumped.ComputedChunks, bumped.CachedChunks));
        Assert.Empty(pipeline.PlanChunks(request).Select(c => c.Key).Intersect(bumped.Chunks.Select(c => c.Key)));
    }

    [Fact]
    public void The_default_code_version_names_the_render_version_and_the_codec_and_runtime_libraries()
    {
        var version = Request([]).CodeVersion;
        Assert.StartsWith($"render/{RenderVersion.Code};", version);
        Assert.Contains("onnxruntime=", version);
        Assert.Contains("libvips_native=", version);
        Assert.Contains("imagesharp=", version);
    }

    /// <summary>Folders whose code decides an embedding's bits; <see cref="RenderVersion.Code"/> covers them.</summary>
    private static readonly string[] RenderingSources =
        ["src/Codecs", "src/Vocabulary", "src/Harness/Images", "src/Harness/Processing", "src/Harness/EncoderInputs", "src/Harness/Encoders"];

    [Fact]
    public void The_rendering_sources_are_those_the_render_version_was_reviewed_against()
    {
        var root = RepositoryRoot();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in RenderingSources.SelectMany(f => Directory.EnumerateFiles(Path.Combine(root, f), "*.cs", SearchOption.AllDirectories))
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
                     .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file + "\n"));
            hash.AppendData(Encoding.UTF8.GetBytes(File.ReadAllText(Path.Combine(root, file)).ReplaceLineEndings("\n")));
        }
        var fingerprint = Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
        Assert.True(fingerprint == RenderVersion.SourcesFingerprint,
            $"The rendering sources changed ({string.Join(", ", RenderingSources)}). If the change can alter one bit of an embedding, " +
            $"bump RenderVersion.Code (cached embeddings are then recomputed); either way set RenderVersion.SourcesFingerprint to \"{fingerprint}\".");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Harness.sln"))) return dir.FullName;
        throw new InvalidOperationException("Harness.sln not found above the test assembly: the rendering-source check runs from a checkout.");
    }
}
