using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using TraceProbe.Common;

namespace TraceProbe.Acquisition;

/// <summary>Reads a photo's EXIF with MetadataExtractor and normalises it into <see cref="ExifLabels"/>.</summary>
public static class ExifReader
{
    /// <summary>The labels of one file; a file without EXIF gives labels that are all unknown.</summary>
    /// <exception cref="ImageProcessingException">The file is not an image MetadataExtractor can read.</exception>
    public static ExifLabels Read(string path)
    {
        IReadOnlyList<MetadataExtractor.Directory> directories;
        try
        {
            directories = ImageMetadataReader.ReadMetadata(path);
        }
        catch (IOException e)
        {
            throw new ImageProcessingException($"{path}: {e.Message}", e);
        }
        var ifd0 = directories.OfType<ExifIfd0Directory>().FirstOrDefault();
        var sub = directories.OfType<ExifSubIfdDirectory>().FirstOrDefault();
        var make = ExifNormaliser.Make(ifd0?.GetString(ExifDirectoryBase.TagMake));
        var model = ExifNormaliser.Model(ifd0?.GetString(ExifDirectoryBase.TagModel), make);
        DateTime? taken = sub is not null && sub.TryGetDateTime(ExifDirectoryBase.TagDateTimeOriginal, out var t) ? t
            : ifd0 is not null && ifd0.TryGetDateTime(ExifDirectoryBase.TagDateTime, out var t0) ? t0 : null;
        return new ExifLabels
        {
            Path = path,
            Make = make,
            Model = model,
            IsSmartphone = ExifNormaliser.IsSmartphone(make, model),
            Exposure = ExifNormaliser.Exposure(Rational(sub, ExifDirectoryBase.TagExposureTime)),
            Aperture = ExifNormaliser.Aperture(Rational(sub, ExifDirectoryBase.TagFNumber)),
            FocalLength = ExifNormaliser.FocalLength(Rational(sub, ExifDirectoryBase.TagFocalLength)),
            Iso = ExifNormaliser.Iso(sub is not null && sub.TryGetInt64(ExifDirectoryBase.TagIsoEquivalent, out var iso) ? iso : null),
            Flash = ExifNormaliser.Flash(sub is not null && sub.TryGetInt32(ExifDirectoryBase.TagFlash, out var flash) ? flash : null),
            Year = ExifNormaliser.Year(taken),
        };
    }

    /// <summary>Labels of many files; unreadable ones are skipped with their reason.</summary>
    public static (IReadOnlyList<ExifLabels> Labels, IReadOnlyList<SkippedInput> Skipped) ReadAll(IEnumerable<string> paths)
    {
        var labels = new List<ExifLabels>();
        var skipped = new List<SkippedInput>();
        foreach (var path in paths)
        {
            try
            {
                labels.Add(Read(path));
            }
            catch (ImageProcessingException e)
            {
                skipped.Add(new SkippedInput(path, e.Message));
            }
        }
        return (labels, skipped);
    }

    private static double? Rational(MetadataExtractor.Directory? directory, int tag) =>
        directory is not null && directory.TryGetRational(tag, out var r) && r.Denominator != 0 ? r.ToDouble() : null;
}
