using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;
using TraceProbe.Images;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Embeddings;

/// <summary>The pipeline decodes as the request says (as stored, or upright as the reference's FlickrExif/PairCams loader).</summary>
public sealed class SourceOrientationTests
{
    [Fact]
    public async Task An_upright_request_renders_the_exif_rotated_source_and_caches_apart_from_an_as_stored_one()
    {
        var folder = TestData.TempFolder("orientation");
        var path = Path.Combine(folder, "rotated.jpg");
        using (var image = new Image<Rgb24>(80, 40, new Rgb24(90, 120, 150)))
        {
            image.Metadata.ExifProfile = new ExifProfile();
            image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6); // rotate 90° clockwise to view
            image.SaveAsJpeg(path);
        }
        var seen = new List<(int, int)>();
        var request = new EmbeddingRequest("orientation", [new Photo("rotated.jpg", path)], [new PlannedItem("rotated.jpg", 0, "none")],
            (source, _, tensor) => { lock (seen) seen.Add((source.Width, source.Height)); tensor.Fill(0.5f); }, "orientation-test/1");
        using var encoder = new OnnxEncoder(TestData.Resnet18, TestData.ModelsFolder);
        var pipeline = new EmbeddingPipeline(encoder, new EmbeddingPipelineOptions { BatchSize = 1 }, new EmbeddingCache(Path.Combine(folder, "cache")));

        await pipeline.RunAsync(request, Shard.All);
        var upright = await pipeline.RunAsync(request with { SourceOrientation = Orientation.Upright }, Shard.All);

        Assert.Equal([(80, 40), (40, 80)], seen);
        Assert.Equal(1, upright.ComputedChunks); // not served from the as-stored entry
    }
}
