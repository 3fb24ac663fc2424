using System.Text.Json;
using TraceProbe.Images;
using TraceProbe.Tests.Pipeline;

namespace TraceProbe.Tests.Images;

/// <summary>
/// Corrupted mutants of real photos (truncations, flipped scan bits, broken headers), replayed from the edits that
/// tools/make_corrupt_jpegs.py recorded beside what Pillow 9.4 made of each: where Pillow decodes a file, the loader
/// gives Pillow's pixels; where Pillow refuses it, the loader refuses it too, with a reason naming the file.
/// </summary>
public sealed class CorruptJpegTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("traceprobe-corrupt").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    internal static readonly string FixturePath = Path.Combine(Path.GetDirectoryName(ReferencePipeline.Dir)!, "..", "Images", "corrupt-jpegs.json");

    /// <summary>
    /// Files Pillow decodes (with libjpeg warnings) that the loader refuses rather than risk other pixels: corrupt
    /// progressive files (one of them, with a false end-of-image marker, decoded differently from Pillow through
    /// libvips) and frames made taller than their scans in files with restart markers (libvips stops there).
    /// A refusal is reported in the run's skipped list; a wrong pixel would not be.
    /// </summary>
    private static readonly HashSet<string> RefusedThoughPillowDecodes =
    [
        "photos/freshflower-progressive.jpg flip-bit-2",
        "photos/freshflower-progressive.jpg flip-bit-5",
        "photos/freshflower-progressive.jpg flip-burst",
        "photos/freshflower-progressive.jpg zero-run",
        "photos/freshflower-progressive.jpg early-eoi",
        "photos/freshflower-progressive.jpg sof-taller",
        "photos/freshflower-progressive.jpg app-length-zero",
        "photos/elephants-rx100-progressive-restart.jpg flip-bit-1",
        "photos/elephants-rx100-progressive-restart.jpg flip-bit-2",
        "photos/elephants-rx100-progressive-restart.jpg flip-burst",
        "photos/elephants-rx100-progressive-restart.jpg zero-run",
        "photos/elephants-rx100-progressive-restart.jpg early-eoi",
        "photos/elephants-rx100-progressive-restart.jpg sof-taller",
        "photos/elephants-rx100-progressive-restart.jpg app-length-zero",
        "photos/the-mouse-restart.jpg sof-taller",
    ];

    internal static byte[] Mutant(JsonElement record)
    {
        var source = Path.Combine(ReferencePipeline.Dir, record.GetProperty("source").GetString()!);
        var bytes = File.ReadAllBytes(source).ToList();
        foreach (var edit in record.GetProperty("edits").EnumerateArray())
        {
            if (edit.TryGetProperty("truncate", out var at))
            {
                bytes.RemoveRange(at.GetInt32(), bytes.Count - at.GetInt32());
            }
            else if (edit.TryGetProperty("xor", out var xor))
            {
                bytes[xor[0].GetInt32()] ^= (byte)xor[1].GetInt32();
            }
            else
            {
                var set = edit.GetProperty("set");
                var raw = Convert.FromHexString(set[1].GetString()!);
                for (var i = 0; i < raw.Length; i++) bytes[set[0].GetInt32() + i] = raw[i];
            }
        }
        return bytes.ToArray();
    }

    [Fact]
    public void Every_mutant_gets_Pillows_pixels_or_a_refusal_naming_the_file()
    {
        using var fixture = JsonDocument.Parse(File.ReadAllText(FixturePath));
        var mutants = fixture.RootElement.GetProperty("mutants").EnumerateArray().ToList();
        var differentPixels = new List<string>();
        var decodedThoughPillowRefuses = new List<string>();
        var refusedThoughPillowDecodes = new List<string>();
        var samePixels = 0;
        var refusedLikePillow = 0;
        foreach (var (record, index) in mutants.Select((r, i) => (r, i)))
        {
            var name = $"{record.GetProperty("source").GetString()} {record.GetProperty("mutant").GetString()}";
            var path = Path.Combine(_dir, $"mutant-{index}.jpg");
            File.WriteAllBytes(path, Mutant(record));
            var pillow = record.GetProperty("pillow");
            string? sha = null;
            try
            {
                using var image = ImageLoader.Load(path);
                sha = ReferencePipeline.Sha256(image);
            }
            catch (ImageDecodeException e)
            {
                Assert.Equal(path, e.Path);
                Assert.False(string.IsNullOrWhiteSpace(e.Reason), name);
                Assert.Contains(path, e.Message);
            }
            if (pillow.GetProperty("decoded").GetBoolean())
            {
                if (sha is null) refusedThoughPillowDecodes.Add(name);
                else if (sha == pillow.GetProperty("sha256").GetString()) samePixels++;
                else differentPixels.Add(name);
            }
            else if (sha is null) refusedLikePillow++;
            else decodedThoughPillowRefuses.Add($"{name} ({SixLabors.ImageSharp.Image.DetectFormat(File.ReadAllBytes(path))?.Name}; Pillow: {pillow.GetProperty("error").GetString()})");
        }
        Assert.True(differentPixels.Count + decodedThoughPillowRefuses.Count == 0, string.Join("\n", differentPixels.Concat(decodedThoughPillowRefuses)));
        Assert.True(RefusedThoughPillowDecodes.SetEquals(refusedThoughPillowDecodes), "refused though Pillow decodes:\n" + string.Join("\n", refusedThoughPillowDecodes));
        // The set is not one-sided: it holds files of both kinds in numbers.
        Assert.True(samePixels >= 80 && refusedLikePillow >= 150, $"{samePixels} decoded like Pillow, {refusedLikePillow} refused like Pillow");
    }

    [Fact]
    public void A_frame_beyond_the_pixel_limit_is_refused_from_its_header()
    {
        using var fixture = JsonDocument.Parse(File.ReadAllText(FixturePath));
        var huge = fixture.RootElement.GetProperty("mutants").EnumerateArray()
            .First(r => r.GetProperty("mutant").GetString() == "sof-huge");
        var path = Path.Combine(_dir, "huge.jpg");
        File.WriteAllBytes(path, Mutant(huge));
        // 65000 × 65000 RGB would be 12.7 GB: a decoder that allocated before checking could not finish this test.
        var e = Assert.Throws<ImageDecodeException>(() => ImageLoader.Load(path));
        Assert.Contains("65000×65000 exceeds", e.Reason);
    }
}
