using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace TraceProbe.Images;

/// <summary>Decodes a source image into 8-bit RGB, upright as its EXIF orientation says.</summary>
public static class ImageLoader
{
    public static Image<Rgb24> Load(string path)
    {
        var image = Image.Load<Rgb24>(path);
        image.Mutate(x => x.AutoOrient());
        return image;
    }
}
