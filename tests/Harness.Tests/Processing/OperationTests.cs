using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TraceProbe.Processing;

namespace TraceProbe.Tests.Processing;

public class OperationTests
{
    [Fact]
    public void Catalog_parses_every_paper_id_and_round_trips_it()
    {
        foreach (var id in ProcessingCatalog.PaperIds)
            Assert.Equal(id, ProcessingCatalog.Parse(id).Id);
        Assert.True(ProcessingCatalog.TryParse("MASK_80", out var mask));
        Assert.Equal(0.8, Assert.IsType<CentreMask>(((ProcessingChain)mask!).Stages[1]).Ratio);
        Assert.False(ProcessingCatalog.TryParse("JPEG101_444", out _));
        Assert.False(ProcessingCatalog.TryParse("RESIZE_TRIPLE", out _));
        Assert.Contains("RESIZE_HALF", Assert.Throws<ArgumentException>(() => ProcessingCatalog.Parse("nope")).Message);
    }

    [Theory]
    [InlineData("MASK_1", true)]
    [InlineData("MASK_99", true)]
    [InlineData("MASK_100", false)]
    [InlineData("MASK_0", false)]
    [InlineData("JPEG100_420", true)]
    [InlineData("SHARPEN_1.5", true)]
    [InlineData("SHARPEN_0", false)]
    public void The_catalog_accepts_exactly_the_ids_of_the_grammar_the_generator_compiles(string id, bool known)
    {
        // The generator links the same OpGrammar: what builds is what runs.
        Assert.Equal(known, TraceProbe.Common.OpGrammar.IsKnown(id));
        Assert.Equal(known, ProcessingCatalog.TryParse(id, out _));
    }

    [Theory]
    [InlineData(224, 0.90, 6, 218)]
    [InlineData(224, 0.95, 3, 221)]
    [InlineData(10, 0.5, 1, 9)]
    public void Centre_mask_corners_round_half_to_even(int size, double ratio, int start, int end) =>
        Assert.Equal((start, end), CentreMask.Span(size, ratio));

    [Fact]
    public void Seeded_scale_is_reproducible_and_within_bounds()
    {
        Assert.Equal(SeededScale.Draw(7), SeededScale.Draw(7));
        for (ulong s = 0; s < 1000; s++) Assert.InRange(SeededScale.Draw(s), 0.8, 1.2);
        Assert.NotEqual(SeededScale.Draw(1), SeededScale.Draw(2));
    }

    [Fact]
    public void Processing_tool_writes_the_JPEG_itself_or_PNG()
    {
        var dir = Directory.CreateTempSubdirectory("traceprobe-proc").FullName;
        try
        {
            var input = Path.Combine(dir, "in.PNG");
            File.Copy(Path.Combine(PillowReference.Dir, "inputs", "odd.png"), input);
            var jpg = Path.Combine(dir, "out.jpg");
            ProcessingTool.Run("SHARPEN_2", input, jpg, 1);
            var bytes = File.ReadAllBytes(jpg);
            Assert.Equal(new byte[] { 0xFF, 0xD8 }, bytes[..2]);
            Assert.Equal(PillowReference.QuantTables("SHARPEN_2"), Pixels.DqtTables(bytes));

            var png = Path.Combine(dir, "out.png");
            ProcessingTool.Run("MASK_90", input, png, 1);
            using var masked = Image.Load<Rgb24>(png);
            using var expected = PillowReference.Output("odd", "MASK_90");
            Assert.Equal(Pixels.Bytes(expected), Pixels.Bytes(masked));
        }
        finally { Directory.Delete(dir, true); }
    }
}
