using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace TraceProbe.Tests.Processing;

/// <summary>The reference outputs written by tools/pillow_reference.py (Pillow 9.4), found from the repository root.</summary>
internal static class PillowReference
{
    public static readonly string Dir = Path.Combine(FindRoot(), "tests", "Harness.Tests", "Processing", "reference");

    public static readonly string[] Photos = ["meadow", "portrait", "odd"];

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Harness.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Repository root (Harness.sln) not found above the test binaries.");
    }

    public static Image<Rgb24> Input(string photo) => Image.Load<Rgb24>(Path.Combine(Dir, "inputs", photo + ".png"));

    public static Image<Rgb24> Output(string photo, string op, bool stage = false) =>
        Image.Load<Rgb24>(Path.Combine(Dir, $"{photo}.{op}{(stage ? ".stage" : "")}.png"));

    public static ulong Seed(string photo)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "manifest.json")));
        return doc.RootElement.GetProperty("photos").GetProperty(photo).GetProperty("seed").GetUInt64();
    }

    public static double ManifestScale(string photo, string op)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "manifest.json")));
        return doc.RootElement.GetProperty("photos").GetProperty(photo).GetProperty("ops").GetProperty(op).GetProperty("scale").GetDouble();
    }

    /// <summary>Pillow's DQT tables per op, in file (zigzag) order.</summary>
    public static int[][] QuantTables(string op)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "quant_tables.json")));
        return doc.RootElement.GetProperty(op).EnumerateArray()
            .Select(t => t.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
    }
}

internal static class Pixels
{
    public static byte[] Bytes(Image<Rgb24> image)
    {
        var b = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(b);
        return b;
    }

    /// <summary>PSNR in dB over all RGB samples; +∞ when identical.</summary>
    public static double Psnr(Image<Rgb24> a, Image<Rgb24> b)
    {
        if (a.Width != b.Width || a.Height != b.Height)
            throw new ArgumentException($"Sizes differ: {a.Width}×{a.Height} vs {b.Width}×{b.Height}.");
        var x = Bytes(a);
        var y = Bytes(b);
        double se = 0;
        for (var i = 0; i < x.Length; i++) { double d = x[i] - y[i]; se += d * d; }
        return se == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / (se / x.Length));
    }

    /// <summary>DQT tables of a JPEG file in file order.</summary>
    public static int[][] DqtTables(byte[] jpeg)
    {
        var tables = new List<int[]>();
        var i = 2;
        while (i + 4 <= jpeg.Length)
        {
            int marker = jpeg[i + 1], length = (jpeg[i + 2] << 8) | jpeg[i + 3];
            if (marker == 0xDA) break;
            if (marker == 0xDB)
            {
                int j = i + 4, end = i + 2 + length;
                while (j < end)
                {
                    var wide = jpeg[j] >> 4 != 0;
                    var t = new int[64];
                    for (var k = 0; k < 64; k++)
                        t[k] = wide ? (jpeg[j + 1 + 2 * k] << 8) | jpeg[j + 2 + 2 * k] : jpeg[j + 1 + k];
                    tables.Add(t);
                    j += 1 + (wide ? 128 : 64);
                }
            }
            i += 2 + length;
        }
        return tables.ToArray();
    }
}
