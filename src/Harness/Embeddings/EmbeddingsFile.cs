using System.Runtime.InteropServices;
using System.Text.Json;
using TraceProbe.Common;

namespace TraceProbe.Embeddings;

/// <summary>
/// The embeddings file every command writes and reads (`run`, `merge`, `extract`, then `probe`, `knn`), a safetensors
/// container (<see cref="SafetensorsFile"/>): the tensor `embeddings` float32 [N, D] and the items' columns as integer
/// tensors beside it, with their small vocabularies in the header (docs/embeddings-format.md). The header stays a few
/// kilobytes at any size, so Python opens every file. Files of the first layout (per-item JSON arrays in the header)
/// are still read. This type is the only place that knows either layout; the commands ask it, never re-parse.
/// </summary>
public sealed class EmbeddingsFile
{
    public const string FormatKey = "format", FormatId = "traceprobe.embeddings/2";
    public const string EncoderKey = "encoder", TaskKey = "task", LayoutKey = "layout";
    /// <summary>SHA-256 of the encoders.json of the program that embedded the rows (optional, beside `source_dataset`).</summary>
    public const string RegistryKey = "registry_sha256";
    /// <summary>Where files of the first layout named paper mode (<see cref="ProcessingLayouts.LegacyPaperSentence"/>).</summary>
    public const string LegacyModeKey = "mode";
    // Per-item JSON arrays of the first layout, still what in-memory writers hand over (see ItemMetadata).
    public const string SplitKey = "split", DoneKey = "done", PhotosKey = "photos", CropsKey = "crops", SemanticKey = "semantic",
        LabelsKey = "labels", ClassesKey = "classes";

    // The tensors of the second layout, in file order (I64 first, so that every tensor is aligned).
    private const string PhotoOffsetsTensor = "photo_name_offsets", KeyOffsetsTensor = "key_offsets", ProcessingTensor = "processing",
        PhotoTensor = "photo", CropTensor = "crop", SemanticTensor = "semantic", LabelTensor = "label", SplitTensor = "split",
        DoneTensor = "done", PhotoNamesTensor = "photo_names", KeyBytesTensor = "key_bytes";
    private const string ProcessingNames = "processing_names", SplitNames = "split_names", SemanticNames = "semantic_names", LabelNames = "label_names";

    private readonly long _rowsOffset;

    public EmbeddingSet Set { get; }
    /// <summary>Where the file was read from (for messages); "embeddings" for a set built in memory.</summary>
    public string Source { get; }
    public ItemColumns Columns { get; }
    public string? Encoder => Set.Metadata.GetValueOrDefault(EncoderKey);
    public string? Task => Set.Metadata.GetValueOrDefault(TaskKey);
    public ProcessingLayout Layout { get; }
    /// <summary>The photos the rows were embedded from, where the writer recorded them (`run`, `merge`, `extract`, `retrieval`); else null.</summary>
    public SourceDataset? SourceDataset { get; }
    /// <summary>train | val | test per item; null when the writer gave no split.</summary>
    public IReadOnlyList<string>? Split => Columns.Split?.Values;
    /// <summary>Whether each item has an embedding (a skipped input leaves a row of zeros).</summary>
    public IReadOnlyList<bool> Done => Columns.Done;
    /// <summary>The source photo of each item: crops and processed copies of one photo share it.</summary>
    public IReadOnlyList<string> Photos => Columns.Photos.Values;
    /// <summary>The crop of its photo each item is (0 for whole images).</summary>
    public IReadOnlyList<int> Crops => Columns.Crops;
    /// <summary>The semantic class of each item (null where none); null when the file has none.</summary>
    public IReadOnlyList<string?>? Semantic => Columns.Semantic?.Optional;

    public int Count => Set.Count;
    public int Dim => Set.Dim;

    /// <summary>Whether the rows are in <see cref="EmbeddingSet.Embeddings"/>, or are read from the file as needed.</summary>
    public bool InMemory => Set.Embeddings.Length > 0 || Count == 0 || Dim == 0;

    public EmbeddingsFile(EmbeddingSet set, string source = "embeddings") : this(set, source, -1) { }

    private EmbeddingsFile(EmbeddingSet set, string source, long rowsOffset)
    {
        Source = source;
        Columns = set.Columns ?? ItemColumns.FromMetadata(set.Keys, set.Processing, set.Metadata, source);
        Set = set.Columns is null ? EmbeddingSet.Of(set.Embeddings, set.Dim, Columns, ItemColumns.FileMetadata(set.Metadata)) : set;
        Layout = ProcessingLayouts.Parse(Set.Metadata.GetValueOrDefault(LayoutKey) ?? Set.Metadata.GetValueOrDefault(LegacyModeKey), source);
        SourceDataset = SourceDataset.From(Set.Metadata, source);
        _rowsOffset = rowsOffset;
    }

    public static EmbeddingsFile Read(string path) => Read(path, withRows: true);

    /// <summary>The items' columns without the embeddings (<c>Set.Embeddings</c> is empty): the rows are then read from the file as needed.</summary>
    public static EmbeddingsFile ReadHeader(string path) => Read(path, withRows: false);

    /// <summary>The split, or an error that names the file and says how to make one that has it.</summary>
    public IReadOnlyList<string> RequireSplit() => Split
        ?? throw new InvalidDataException($"{Source}: no '{SplitKey}' per item (train/test); write it with `traceprobe run`, `extract` or `embed` + `merge`.");

    /// <summary>The metadata entries that describe items, for in-memory writers (turned into columns when written).</summary>
    public static IReadOnlyDictionary<string, string> ItemMetadata(IEnumerable<string> photos, IEnumerable<int> crops, IEnumerable<string> split) =>
        new Dictionary<string, string>
        {
            [PhotosKey] = JsonSerializer.Serialize(photos),
            [CropsKey] = JsonSerializer.Serialize(crops),
            [SplitKey] = JsonSerializer.Serialize(split),
        };

    /// <summary>
    /// Copies rows <paramref name="rows"/> (in this order) into <paramref name="destination"/> [rows, Dim], from memory or
    /// from the file; runs of consecutive rows are read at once.
    /// </summary>
    public void ReadRows(ReadOnlySpan<int> rows, Span<float> destination)
    {
        var dim = Dim;
        if (destination.Length < (long)rows.Length * dim) throw new ArgumentException($"{destination.Length} floats cannot hold {rows.Length} rows of {dim}.", nameof(destination));
        if (InMemory)
        {
            for (var i = 0; i < rows.Length; i++)
                Set.Embeddings.AsSpan((int)((long)rows[i] * dim), dim).CopyTo(destination.Slice(i * dim, dim));
            return;
        }
        using var handle = SafetensorsFile.OpenRead(Source);
        var rowBytes = (long)dim * sizeof(float);
        // A run stays under 1 GiB: a span of bytes cannot reach 2 GiB, and the destination may be several.
        var longest = (int)Math.Max(1, (1L << 30) / Math.Max(1, rowBytes));
        for (var i = 0; i < rows.Length;)
        {
            var run = 1;
            while (i + run < rows.Length && run < longest && rows[i + run] == rows[i] + run) run++;
            SafetensorsFile.ReadExactly(handle, MemoryMarshal.AsBytes(destination.Slice(i * dim, run * dim)), _rowsOffset + rows[i] * rowBytes, Source);
            i += run;
        }
    }

    public static void Write(string path, EmbeddingSet set)
    {
        var file = new EmbeddingsFile(set);
        using var writer = Create(path, file.Dim, file.Columns, file.Set.Metadata);
        writer.WriteRows(0, set.Embeddings);
        writer.Complete(file.Columns.Done);
    }

    /// <summary>
    /// Starts a file of <paramref name="columns"/>' items: its rows are then written in any order (a run writes each chunk
    /// as the encoder finishes it, so no task is ever held whole in memory) and <see cref="Writer.Complete"/> publishes it.
    /// </summary>
    public static Writer Create(string path, int dim, ItemColumns columns, IReadOnlyDictionary<string, string> metadata) => new(path, dim, columns, metadata);

    /// <summary>An embeddings file being written (see <see cref="Create"/>).</summary>
    public sealed class Writer : IDisposable
    {
        private readonly SafetensorsWriter _file;
        private readonly int _dim, _count;

        internal Writer(string path, int dim, ItemColumns columns, IReadOnlyDictionary<string, string> metadata)
        {
            _dim = dim;
            _count = columns.Count;
            var n = (long)columns.Count;
            var photoNames = columns.Photos.Names as Utf8Strings ?? Utf8Strings.Encode(columns.Photos.Names);
            var keys = columns.Keys switch
            {
                Utf8Strings stored => stored,
                FileStrings inFile => inFile.Load(),
                var other => Utf8Strings.Encode(other),
            };
            var meta = new Dictionary<string, string>(ItemColumns.FileMetadata(metadata), StringComparer.Ordinal)
            {
                [FormatKey] = FormatId,
                [ProcessingNames] = JsonSerializer.Serialize(columns.Processing.Names),
            };
            meta.Remove(LegacyModeKey);
            var layout = metadata.GetValueOrDefault(LayoutKey) ?? metadata.GetValueOrDefault(LegacyModeKey);
            if (layout is not null) meta[LayoutKey] = ProcessingLayouts.Parse(layout, path).Token();
            var tensors = new List<TensorLayout>
            {
                new(PhotoOffsetsTensor, "I64", photoNames.Offsets.Length),
                new(KeyOffsetsTensor, "I64", keys.Offsets.Length),
                new(EmbeddingSet.TensorName, "F32", n, dim),
                new(ProcessingTensor, "I32", n),
                new(PhotoTensor, "I32", n),
                new(CropTensor, "I32", n),
            };
            if (columns.Semantic is { } semantic) { tensors.Add(new(SemanticTensor, "I32", n)); meta[SemanticNames] = JsonSerializer.Serialize(semantic.Names); }
            if (columns.Labels is { } labels) { tensors.Add(new(LabelTensor, "I32", n)); meta[LabelNames] = JsonSerializer.Serialize(labels.Names); }
            if (columns.Split is { } split) { tensors.Add(new(SplitTensor, "U8", n)); meta[SplitNames] = JsonSerializer.Serialize(split.Names); }
            tensors.Add(new(DoneTensor, "U8", n));
            tensors.Add(new(PhotoNamesTensor, "U8", photoNames.Bytes.Length));
            tensors.Add(new(KeyBytesTensor, "U8", keys.Bytes.Length));
            _file = SafetensorsFile.Create(path, meta, tensors);
            try
            {
                _file.Write<long>(PhotoOffsetsTensor, photoNames.Offsets);
                _file.Write<long>(KeyOffsetsTensor, keys.Offsets);
                _file.Write<int>(ProcessingTensor, columns.Processing.Codes);
                _file.Write<int>(PhotoTensor, columns.Photos.Codes);
                _file.Write<int>(CropTensor, columns.Crops);
                if (columns.Semantic is { } s) _file.Write<int>(SemanticTensor, s.Codes);
                if (columns.Labels is { } l) _file.Write<int>(LabelTensor, l.Codes);
                if (columns.Split is { } sp) _file.Write<byte>(SplitTensor, sp.Codes.Select(c => checked((byte)c)).ToArray());
                _file.Write<byte>(PhotoNamesTensor, photoNames.Bytes);
                _file.Write<byte>(KeyBytesTensor, keys.Bytes);
            }
            catch
            {
                _file.Dispose();
                throw;
            }
        }

        /// <summary>Rows [first, first + rows.Length / Dim); safe to call from several threads for disjoint rows.</summary>
        public void WriteRows(long first, ReadOnlySpan<float> rows)
        {
            if (_dim == 0 || rows.Length == 0) return;
            if (rows.Length % _dim != 0 || first < 0 || first + rows.Length / _dim > _count)
                throw new ArgumentOutOfRangeException(nameof(first), $"{rows.Length} floats at row {first} do not fit {_count} rows of {_dim}.");
            _file.Write(EmbeddingSet.TensorName, rows, first * _dim);
        }

        /// <summary>Writes which items were embedded and publishes the file.</summary>
        public void Complete(IReadOnlyList<bool> done)
        {
            if (done.Count != _count) throw new ArgumentException($"{done.Count} done flags for {_count} items.", nameof(done));
            var flags = new byte[_count];
            for (var i = 0; i < flags.Length; i++) flags[i] = done[i] ? (byte)1 : (byte)0;
            _file.Write<byte>(DoneTensor, flags);
            _file.Commit();
        }

        public void Dispose() => _file.Dispose();
    }

    private static EmbeddingsFile Read(string path, bool withRows)
    {
        using var handle = SafetensorsFile.OpenRead(path);
        var header = SafetensorsFile.ReadHeader(handle, path);
        var rows = header.Tensors.GetValueOrDefault(EmbeddingSet.TensorName)
            ?? throw new InvalidDataException($"{path}: no '{EmbeddingSet.TensorName}' tensor.");
        if (rows.DType != "F32") throw new InvalidDataException($"{path}: '{EmbeddingSet.TensorName}' is {rows.DType}, expected F32.");
        if (rows.Shape.Length != 2) throw new InvalidDataException($"{path}: '{EmbeddingSet.TensorName}' has shape [{string.Join(",", rows.Shape)}], expected [N, D].");
        int count = checked((int)rows.Shape[0]), dim = checked((int)rows.Shape[1]);
        var embeddings = withRows ? SafetensorsFile.ReadTensor<float>(handle, rows, path) : [];
        var set = header.Metadata.ContainsKey(FormatKey)
            ? ReadColumns(handle, header, count, dim, embeddings, path)
            : ReadFirstLayout(header, dim, embeddings, path);
        return new EmbeddingsFile(set, path, rows.FileOffset);
    }

    /// <summary>The second layout: columns from the integer tensors, vocabularies from the header.</summary>
    private static EmbeddingSet ReadColumns(Microsoft.Win32.SafeHandles.SafeFileHandle handle, SafetensorsHeader header, int count, int dim, float[] embeddings, string path)
    {
        if (header.Metadata[FormatKey] != FormatId)
            throw new InvalidDataException($"{path}: format '{header.Metadata[FormatKey]}'; this program reads '{FormatId}' (and files without a format key).");
        SafetensorsTensor? Tensor(string name, long? length = null)
        {
            if (!header.Tensors.TryGetValue(name, out var t)) return null;
            if (t.Shape.Length != 1 || (length is { } l && t.Shape[0] != l))
                throw new InvalidDataException($"{path}: tensor '{name}' has shape [{string.Join(",", t.Shape)}], expected [{length?.ToString() ?? "n"}].");
            return t;
        }
        int[]? Ints(string name) => Tensor(name, count) is { } t ? ToInts(t) : null;
        int[] ToInts(SafetensorsTensor t) => t.DType switch
        {
            "I32" => SafetensorsFile.ReadTensor<int>(handle, t, path),
            "I64" => SafetensorsFile.ReadTensor<long>(handle, t, path).Select(v => checked((int)v)).ToArray(),
            "U8" or "BOOL" => SafetensorsFile.ReadTensor<byte>(handle, t, path).Select(v => (int)v).ToArray(),
            _ => throw new InvalidDataException($"{path}: tensor '{t.Name}' is {t.DType}, expected an integer dtype."),
        };
        string[] Names(string key) => header.Metadata.TryGetValue(key, out var json)
            ? JsonSerializer.Deserialize<string[]>(json) ?? []
            : throw new InvalidDataException($"{path}: no '{key}' in the metadata for its codes.");
        CodedColumn? Coded(string tensor, string names, bool optional) =>
            Ints(tensor) is { } codes ? new CodedColumn(Names(names), codes).Validated(path, tensor, optional) : null;
        Utf8Strings? Strings(string offsetsName, string bytesName, long? items)
        {
            if (Tensor(offsetsName, items + 1) is not { } offsets || Tensor(bytesName) is not { } bytes) return null;
            return new Utf8Strings(SafetensorsFile.ReadTensor<byte>(handle, bytes, path), SafetensorsFile.ReadTensor<long>(handle, offsets, path));
        }

        var processing = Coded(ProcessingTensor, ProcessingNames, optional: false)
            ?? throw new InvalidDataException($"{path}: no '{ProcessingTensor}' tensor (a code per item into '{ProcessingNames}').");
        var photoNames = Strings(PhotoOffsetsTensor, PhotoNamesTensor, null);
        var photoCodes = Ints(PhotoTensor);
        if ((photoNames is null) != (photoCodes is null))
            throw new InvalidDataException($"{path}: '{PhotoTensor}' needs '{PhotoNamesTensor}' and '{PhotoOffsetsTensor}', and they it.");
        // Keys: read from the file when asked for (they only name items in messages); else photo#processing.
        IReadOnlyList<string>? keys = Tensor(KeyOffsetsTensor, count + 1L) is { } keyOffsets && Tensor(KeyBytesTensor) is { } keyBytes
            ? new FileStrings(path, keyOffsets, keyBytes)
            : null;
        var photos = photoCodes is null
            ? new CodedColumn(Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(), Enumerable.Range(0, count).ToArray())
            : new CodedColumn(photoNames!, photoCodes).Validated(path, PhotoTensor, optional: false);
        var columns = new ItemColumns
        {
            Keys = keys ?? new DerivedKeys(photos, processing),
            Processing = processing,
            Photos = photos,
            Crops = Ints(CropTensor) ?? new int[count],
            Done = Ints(DoneTensor)?.Select(v => v != 0).ToArray() ?? Enumerable.Repeat(true, count).ToArray(),
            Split = Coded(SplitTensor, SplitNames, optional: false),
            Semantic = Coded(SemanticTensor, SemanticNames, optional: true),
            Labels = Coded(LabelTensor, LabelNames, optional: true),
        };
        var metadata = header.Metadata.Where(kv => kv.Key is not (ProcessingNames or SplitNames or SemanticNames or LabelNames))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return EmbeddingSet.Of(embeddings, dim, columns, metadata);
    }

    /// <summary>The first layout: keys and processing ids (and the other per-item values) as JSON arrays in the header.</summary>
    private static EmbeddingSet ReadFirstLayout(SafetensorsHeader header, int dim, float[] embeddings, string path)
    {
        var metadata = header.Metadata;
        string[] Strings(string key)
        {
            try { return metadata.TryGetValue(key, out var json) ? JsonSerializer.Deserialize<string[]>(json) ?? [] : []; }
            catch (JsonException e) { throw new InvalidDataException($"{path}: metadata '{key}' is not a JSON array of strings: {e.Message}"); }
        }
        var keys = Strings("keys");
        var processing = Strings("processing");
        var rows = header.Tensors[EmbeddingSet.TensorName].Shape[0];
        if (keys.Length != rows || processing.Length != rows)
            throw new InvalidDataException($"{path}: {keys.Length} keys and {processing.Length} processing ids for {rows} embeddings.");
        var columns = ItemColumns.FromMetadata(keys, processing, metadata, path);
        return EmbeddingSet.Of(embeddings, dim, columns, ItemColumns.FileMetadata(metadata));
    }
}
