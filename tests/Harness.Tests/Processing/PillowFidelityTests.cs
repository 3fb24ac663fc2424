using TraceProbe.Processing;
using Xunit.Abstractions;

namespace TraceProbe.Tests.Processing;

/// <summary>
/// Every paper operation against Pillow 9.4's output (tools/pillow_reference.py). Measured: every op on every
/// photo is bit-identical to Pillow (PSNR +∞), so the bound is identity; any drift fails.
/// </summary>
public class PillowFidelityTests(ITestOutputHelper log)
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var photo in PillowReference.Photos)
        foreach (var id in ProcessingCatalog.PaperIds)
            data.Add(photo, id);
        return data;
    }

    public static TheoryData<string, string> StageCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var photo in PillowReference.Photos)
        foreach (var id in ProcessingCatalog.PaperIds.Where(id => id.StartsWith("SHARPEN") || id.StartsWith("RESIZE") || id.StartsWith("INTERPOLATION")))
            data.Add(photo, id);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Output_matches_Pillow(string photo, string op)
    {
        using var src = PillowReference.Input(photo);
        using var expected = PillowReference.Output(photo, op);
        using var actual = ProcessingCatalog.Parse(op).Apply(src, PillowReference.Seed(photo));
        var psnr = Pixels.Psnr(actual, expected);
        log.WriteLine($"{photo} {op}: {psnr:F2} dB");
        // Identity, not a PSNR bound: every op was measured bit-identical to Pillow.
        Assert.True(Pixels.Bytes(expected).AsSpan().SequenceEqual(Pixels.Bytes(actual)), $"{op} on {photo}: {psnr:F2} dB vs Pillow, not identical.");
    }

    [Theory]
    [MemberData(nameof(StageCases))]
    public void Stage_before_JPEG_is_identical_to_Pillow(string photo, string op)
    {
        using var src = PillowReference.Input(photo);
        using var expected = PillowReference.Output(photo, op, stage: true);
        var chain = Assert.IsType<ProcessingChain>(ProcessingCatalog.Parse(op));
        Assert.IsType<JpegCompression>(chain.Stages[^1]);
        using var actual = chain.Stages[0].Apply(src, PillowReference.Seed(photo));
        Assert.Equal(Pixels.Bytes(expected), Pixels.Bytes(actual));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Written_quantisation_tables_equal_Pillows(string photo, string op)
    {
        var chain = ProcessingCatalog.Parse(op) is ProcessingChain c ? c.Stages : [ProcessingCatalog.Parse(op)];
        var jpeg = chain.OfType<JpegCompression>().Single();
        using var src = PillowReference.Input(photo);
        using var file = new MemoryStream();
        jpeg.Encode(src, file);
        var expected = PillowReference.QuantTables(op);
        var actual = Pixels.DqtTables(file.ToArray());
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i]);
    }

    [Theory]
    [InlineData("meadow")]
    [InlineData("portrait")]
    [InlineData("odd")]
    public void Seeded_scale_matches_the_reference_generator(string photo) =>
        Assert.Equal(PillowReference.ManifestScale(photo, "INTERPOLATION_BOX"), SeededScale.Draw(PillowReference.Seed(photo)));
}
