using System.Runtime.InteropServices;

namespace TraceProbe.Neighbours;

/// <summary>
/// One side of a kNN influence run (the queries or the database): <see cref="Count"/> items, each embedded
/// under every one of <see cref="Processings"/> processings, read a block of rows at a time so that memory
/// does not grow with the number of items.
/// </summary>
public interface IProcessedRows
{
    int Count { get; }
    int Processings { get; }
    int Dim { get; }

    /// <summary>Writes items [first, first + count) under <paramref name="processing"/> as row-major [count, Dim].</summary>
    void Read(int processing, int first, int count, Span<float> destination);
}

/// <summary>Rows held in memory, item-major: row (item · P + processing).</summary>
public sealed class InMemoryRows(float[] embeddings, int count, int processings, int dim) : IProcessedRows
{
    public int Count { get; } = embeddings.Length == (long)count * processings * dim ? count
        : throw new ArgumentException($"embeddings has {embeddings.Length} floats; items × processings × dim = {count} × {processings} × {dim}.", nameof(embeddings));
    public int Processings => processings;
    public int Dim => dim;

    public void Read(int processing, int first, int count, Span<float> destination)
    {
        for (var i = 0; i < count; i++)
            embeddings.AsSpan(((first + i) * processings + processing) * dim, dim).CopyTo(destination.Slice(i * dim, dim));
    }
}

/// <summary>
/// Rows of an embeddings array [N, dim] held elsewhere (a run's embeddings), picked by a row map without a copy:
/// item i under processing p is row rows[i · P + p].
/// </summary>
public sealed class IndexedRows : IProcessedRows
{
    private readonly float[] _embeddings;
    private readonly int[] _rows;

    /// <param name="rows">Row of each (item, processing), item-major: rows[item · P + processing].</param>
    public IndexedRows(float[] embeddings, int[] rows, int processings, int dim)
    {
        if (dim < 1 || embeddings.Length % dim != 0) throw new ArgumentException($"embeddings has {embeddings.Length} floats, not rows of dim {dim}.", nameof(embeddings));
        if (processings < 1 || rows.Length % processings != 0) throw new ArgumentException($"rows has {rows.Length} entries, not a multiple of {processings} processings.", nameof(rows));
        var n = embeddings.Length / dim;
        foreach (var r in rows)
            if (r < 0 || r >= n) throw new ArgumentException($"row {r} is outside the embeddings' {n} rows.", nameof(rows));
        _embeddings = embeddings;
        _rows = rows;
        Processings = processings;
        Dim = dim;
        Count = rows.Length / processings;
    }

    public int Count { get; }
    public int Processings { get; }
    public int Dim { get; }

    public void Read(int processing, int first, int count, Span<float> destination)
    {
        for (var i = 0; i < count; i++)
            _embeddings.AsSpan(_rows[(first + i) * Processings + processing] * Dim, Dim).CopyTo(destination.Slice(i * Dim, Dim));
    }
}

/// <summary>
/// Rows read on demand from an embeddings file (safetensors, float32 [N, D], as <c>run</c> and <c>merge</c>
/// write it): item i under processing p is file row rows[i · P + p]. Only the header is parsed up front.
/// </summary>
public sealed class EmbeddingsFileRows : IProcessedRows, IDisposable
{
    private readonly FileStream _file;
    private readonly long _dataStart;
    private readonly int[] _rows;
    private readonly string _path;
    private readonly long _fileRows;

    /// <param name="rows">File row of each (item, processing), item-major: rows[item · P + processing].</param>
    public EmbeddingsFileRows(string path, int[] rows, int processings, string tensor = "embeddings")
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not.");
        _path = path;
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        try
        {
            (_fileRows, Dim, _dataStart) = ReadHeader(_file, path, tensor);
        }
        catch
        {
            _file.Dispose();
            throw;
        }
        if (processings < 1 || rows.Length % processings != 0) { _file.Dispose(); throw new ArgumentException($"rows has {rows.Length} entries, not a multiple of {processings} processings.", nameof(rows)); }
        foreach (var r in rows)
            if (r < 0 || r >= _fileRows) { _file.Dispose(); throw new ArgumentException($"row {r} is outside {path}'s {_fileRows} rows.", nameof(rows)); }
        _rows = rows;
        Processings = processings;
        Count = rows.Length / processings;
    }

    public int Count { get; }
    public int Processings { get; }
    public int Dim { get; }

    /// <summary>The tensor's rows, dimension and data offset, from the one safetensors header parser.</summary>
    private static (long Rows, int Dim, long DataStart) ReadHeader(FileStream file, string path, string tensor)
    {
        var header = Embeddings.SafetensorsFile.ReadHeader(file.SafeFileHandle, path);
        if (!header.Tensors.TryGetValue(tensor, out var info))
            throw new InvalidDataException($"{path}: no tensor '{tensor}'.");
        if (info.DType != "F32") throw new InvalidDataException($"{path}: tensor '{tensor}' is not F32.");
        if (info.Shape.Length != 2) throw new InvalidDataException($"{path}: tensor '{tensor}' is not [N, D].");
        return (info.Shape[0], (int)info.Shape[1], info.FileOffset);
    }

    public void Read(int processing, int first, int count, Span<float> destination)
    {
        var bytes = MemoryMarshal.AsBytes(destination[..(count * Dim)]);
        var rowBytes = Dim * sizeof(float);
        // Runs of consecutive file rows are read at once (a task's items are usually stored in order).
        for (var i = 0; i < count;)
        {
            var start = _rows[(first + i) * Processings + processing];
            var run = 1;
            while (i + run < count && _rows[(first + i + run) * Processings + processing] == start + run) run++;
            var span = bytes.Slice(i * rowBytes, run * rowBytes);
            var offset = _dataStart + (long)start * rowBytes;
            while (span.Length > 0)
            {
                var n = RandomAccess.Read(_file.SafeFileHandle, span, offset);
                if (n == 0) throw new EndOfStreamException($"{_path}: ends inside row {start}.");
                span = span[n..];
                offset += n;
            }
            i += run;
        }
    }

    public void Dispose() => _file.Dispose();
}
