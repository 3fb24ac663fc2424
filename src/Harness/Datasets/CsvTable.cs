using System.Text;

namespace TraceProbe.Datasets;

/// <summary>
/// A CSV file with a header row (RFC 4180: quoted fields, doubled quotes, commas and line breaks inside quotes).
/// Hand-written because the manifests are small and none of the project's libraries reads CSV.
/// </summary>
public sealed class CsvTable
{
    public required string Path { get; init; }
    public required IReadOnlyList<string> Columns { get; init; }
    public required IReadOnlyList<IReadOnlyList<string>> Rows { get; init; }

    public int Column(string name) => Columns.ToList().FindIndex(c => c.Equals(name, StringComparison.OrdinalIgnoreCase)) is var i and >= 0
        ? i
        : throw new InvalidDataException($"{Path}: no column '{name}' (columns: {string.Join(", ", Columns)}).");

    public int? OptionalColumn(string name) => Columns.ToList().FindIndex(c => c.Equals(name, StringComparison.OrdinalIgnoreCase)) is var i and >= 0 ? i : null;

    public static CsvTable Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist.", path);
        var records = Parse(File.ReadAllText(path), path);
        if (records.Count == 0) throw new InvalidDataException($"{path}: empty, expected a header row.");
        var header = records[0].Select(h => h.Trim().TrimStart('\uFEFF')).ToList();
        var rows = records.Skip(1).Where(r => !(r.Count == 1 && r[0].Length == 0)).ToList();
        for (var i = 0; i < rows.Count; i++)
            if (rows[i].Count != header.Count)
                throw new InvalidDataException($"{path}: row {i + 2} has {rows[i].Count} fields, the header {header.Count}.");
        return new CsvTable { Path = path, Columns = header, Rows = rows };
    }

    private static List<IReadOnlyList<string>> Parse(string text, string path)
    {
        var records = new List<IReadOnlyList<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"' && field.Length == 0) quoted = true;
            else if (c == ',') { record.Add(field.ToString()); field.Clear(); }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
            }
            else field.Append(c);
        }
        if (quoted) throw new InvalidDataException($"{path}: a quoted field is not closed.");
        if (field.Length > 0 || record.Count > 0)
        {
            record.Add(field.ToString());
            records.Add(record);
        }
        return records;
    }
}
