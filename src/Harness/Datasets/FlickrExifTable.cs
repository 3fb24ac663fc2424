using System.Globalization;
using Parquet.Serialization;

namespace TraceProbe.Datasets;

/// <summary>
/// The FlickrExif table (Flickr ID, url, owner, Make, Model, Exposure, Aperture, ISO Speed, Focal Length): the
/// published parquet file, read with Parquet.Net, or a CSV export of it. Cells as invariant text, null when empty.
/// </summary>
public sealed class FlickrExifTable
{
    public required string Path { get; init; }
    public required IReadOnlyList<string> Columns { get; init; }
    public required IReadOnlyList<string?[]> Rows { get; init; }

    public int? OptionalColumn(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
            if (Columns[i].Equals(name, StringComparison.OrdinalIgnoreCase)) return i;
        return null;
    }

    public int Column(string name) => OptionalColumn(name)
        ?? throw new InvalidDataException($"{Path}: no column '{name}' (columns: {string.Join(", ", Columns)}).");

    public static FlickrExifTable Read(string path) =>
        path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? ReadParquet(path) : ReadCsv(path);

    private static FlickrExifTable ReadCsv(string path)
    {
        var csv = CsvTable.Read(path);
        return new FlickrExifTable
        {
            Path = path,
            Columns = csv.Columns,
            Rows = csv.Rows.Select(r => r.Select(v => v.Trim().Length == 0 ? null : v).ToArray()).ToList(),
        };
    }

    private static FlickrExifTable ReadParquet(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var result = ParquetSerializer.DeserializeUntypedAsync(stream).GetAwaiter().GetResult();
            var columns = result.Schema.GetDataFields().Select(f => f.Name).ToList();
            var rows = result.Data.Select(row => columns.Select(c => row.TryGetValue(c, out var v) ? Cell(v) : null).ToArray()).ToList();
            return new FlickrExifTable { Path = path, Columns = columns, Rows = rows };
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or InvalidOperationException or Parquet.ParquetException)
        {
            throw new InvalidDataException($"{path}: not a readable parquet table ({e.Message}).", e);
        }
    }

    private static string? Cell(object? value) => value switch
    {
        null => null,
        string s => s.Trim().Length == 0 ? null : s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
