using TraceProbe.Embeddings;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Embeddings;

public sealed class EmbeddingsFileTests
{
    private static string Write(IReadOnlyList<string> keys, Dictionary<string, string> metadata)
    {
        var path = Path.Combine(TestData.TempFolder("embeddings-file"), "e.safetensors");
        EmbeddingsFile.Write(path, new EmbeddingSet(new float[keys.Count * 2], 2, keys, keys.Select(_ => "JPEG75_420").ToList(), metadata));
        return path;
    }

    [Fact]
    public void Photos_and_crops_come_from_structured_metadata_so_a_hash_in_a_name_is_kept()
    {
        var metadata = new Dictionary<string, string>(EmbeddingsFile.ItemMetadata(["a#b.jpg", "a#b.jpg", "c.jpg"], [0, 1, 0], ["train", "train", "test"]));
        var file = EmbeddingsFile.Read(Write(["a#b.jpg#crop0", "a#b.jpg#crop1", "c.jpg#crop0"], metadata));
        Assert.Equal(["a#b.jpg", "a#b.jpg", "c.jpg"], file.Photos);
        Assert.Equal([0, 1, 0], file.Crops);
        Assert.Equal(["train", "train", "test"], file.RequireSplit());
        Assert.All(file.Done, Assert.True);
    }

    [Fact]
    public void Older_files_without_photos_split_only_the_crop_suffix_off_the_key()
    {
        var file = EmbeddingsFile.Read(Write(["x#1.jpg#crop3", "plain.jpg"], new Dictionary<string, string> { ["split"] = "[\"train\",\"test\"]" }));
        Assert.Equal(["x#1.jpg", "plain.jpg"], file.Photos);
        Assert.Equal([3, 0], file.Crops);
    }

    [Fact]
    public void A_metadata_array_of_the_wrong_length_is_refused_naming_file_and_field()
    {
        var path = Path.Combine(TestData.TempFolder("embeddings-file"), "old.safetensors");
        FirstLayout.Write(path, new float[4], 2, ["a", "b"], ["x", "y"], new Dictionary<string, string> { ["done"] = "[true]" });
        var error = Assert.Throws<InvalidDataException>(() => EmbeddingsFile.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("'done'", error.Message);
    }

    [Fact]
    public void A_missing_split_is_reported_when_asked_for()
    {
        var path = Write(["a", "b"], []);
        var file = EmbeddingsFile.Read(path);
        Assert.Null(file.Split);
        var error = Assert.Throws<InvalidDataException>(() => file.RequireSplit());
        Assert.Contains(path, error.Message);
    }
}
