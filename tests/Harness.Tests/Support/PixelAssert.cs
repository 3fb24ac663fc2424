using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace TraceProbe.Tests.Support;

/// <summary>Two images equal pixel for pixel, or a failure that says how many differ and where the first is.</summary>
public static class PixelAssert
{
    public static void Same(Image<Rgb24> expected, Image<Rgb24> actual, string what, string reference = "the reference")
    {
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        var e = new Rgb24[expected.Width * expected.Height];
        var a = new Rgb24[e.Length];
        expected.CopyPixelDataTo(e);
        actual.CopyPixelDataTo(a);
        var differing = 0;
        var first = -1;
        for (var i = 0; i < e.Length; i++)
            if (!e[i].Equals(a[i]) && differing++ == 0) first = i;
        Assert.True(differing == 0,
            $"{what}: {differing} of {e.Length} pixels differ, first at ({first % expected.Width}, {first / expected.Width}): " +
            $"{(first >= 0 ? a[first] : default)} instead of {reference}'s {(first >= 0 ? e[first] : default)}");
    }
}
