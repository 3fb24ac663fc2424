using System.Buffers.Binary;
using TraceProbe.Common;
using TraceProbe.Embeddings;
using TraceProbe.Experiments;
using TraceProbe.Probes;
using TraceProbe.Results;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Embeddings;

/// <summary>The second layout: integer columns beside the embeddings, a small header at any size, old files still read.</summary>
public sealed class EmbeddingsLayoutTests
{
    private static readonly string[] Jpeg = ["JPEG75_420", "JPEG75_444", "JPEG85_420", "JPEG85_444", "JPEG95_420", "JPEG95_444"];

    [Fact]
    public void Every_column_round_trips_through_the_file()
    {
        var path = Path.Combine(TestData.TempFolder("layout"), "e.safetensors");
        var columns = new ItemColumns
        {
            Keys = ["a#0", "a#1", "b#0", "b#1"],
            Processing = CodedColumn.Encode(["P0", "P1", "P0", "P1"]),
            Photos = CodedColumn.Encode(["a.jpg", "a.jpg", "ünï/b.jpg", "ünï/b.jpg"]),
            Crops = [0, 2, 0, 2],
            Done = [true, false, true, true],
            Split = CodedColumn.Encode(["train", "train", "test", "test"]),
            Semantic = CodedColumn.Encode(["cat", "cat", null, null]),
            Labels = new CodedColumn(["Canon", "Nikon"], [1, 1, 0, 0]),
        };
        var rows = Enumerable.Range(0, 12).Select(i => i * 0.5f).ToArray();
        EmbeddingsFile.Write(path, EmbeddingSet.Of(rows, 3, columns, new Dictionary<string, string> { ["encoder"] = "e", ["layout"] = "paper" }));

        var file = EmbeddingsFile.Read(path);
        Assert.Equal(rows, file.Set.Embeddings);
        Assert.Equal(columns.Keys, file.Set.Keys);
        Assert.Equal(["P0", "P1", "P0", "P1"], file.Set.Processing);
        Assert.Equal(["a.jpg", "a.jpg", "ünï/b.jpg", "ünï/b.jpg"], file.Photos);
        Assert.Equal([0, 2, 0, 2], file.Crops);
        Assert.Equal([true, false, true, true], file.Done);
        Assert.Equal(["train", "train", "test", "test"], file.RequireSplit());
        Assert.Equal(["cat", "cat", null, null], file.Semantic!);
        Assert.Equal(["Nikon", "Nikon", "Canon", "Canon"], file.Columns.Labels!.Optional);
        Assert.Equal(ProcessingLayout.PaperWholeImages, file.Layout);
        Assert.Equal("e", file.Encoder);

        // The header alone gives the same columns, and rows read from the file equal the loaded ones.
        var header = EmbeddingsFile.ReadHeader(path);
        Assert.False(header.InMemory);
        Assert.Equal(file.Photos, header.Photos);
        var picked = new float[2 * 3];
        header.ReadRows([3, 1], picked);
        Assert.Equal(rows[9..12].Concat(rows[3..6]), picked);
    }

    [Fact]
    public void Files_of_the_first_layout_are_read_with_their_mode()
    {
        var folder = TestData.TempFolder("layout");
        var paper = Path.Combine(folder, "paper.safetensors");
        FirstLayout.Write(paper, new float[4], 1, ["a#q75", "a#q95", "b#q75", "b#q95"], ["JPEG75_420", "JPEG95_420", "JPEG75_420", "JPEG95_420"],
            new Dictionary<string, string>
            {
                ["photos"] = "[\"a\",\"a\",\"b\",\"b\"]",
                ["crops"] = "[0,0,0,0]",
                ["split"] = "[\"train\",\"train\",\"test\",\"test\"]",
                ["done"] = "[true,true,false,true]",
                ["semantic"] = "[\"x\",\"x\",null,null]",
                ["mode"] = ProcessingLayouts.LegacyPaperSentence,
                ["task"] = "jpeg",
            });
        var file = EmbeddingsFile.Read(paper);
        Assert.Equal(ProcessingLayout.PaperWholeImages, file.Layout);
        Assert.Equal(["a", "a", "b", "b"], file.Photos);
        Assert.Equal([true, true, false, true], file.Done);
        Assert.Equal(["x", "x", null, null], file.Semantic!);
        Assert.Equal("jpeg", file.Task);

        var quick = Path.Combine(folder, "quick.safetensors");
        FirstLayout.Write(quick, new float[2], 1, ["a.jpg#crop3", "b.jpg#crop0"], ["JPEG75_420", "JPEG95_420"], new Dictionary<string, string>());
        var old = EmbeddingsFile.Read(quick);
        Assert.Equal(ProcessingLayout.QuickCrops, old.Layout);
        Assert.Equal(["a.jpg", "b.jpg"], old.Photos);
        Assert.Equal([3, 0], old.Crops);

        // Written again, an old file takes the second layout and keeps what it said.
        var again = Path.Combine(folder, "again.safetensors");
        EmbeddingsFile.Write(again, file.Set);
        var rewritten = EmbeddingsFile.Read(again);
        Assert.Equal(ProcessingLayout.PaperWholeImages, rewritten.Layout);
        Assert.Equal(file.Photos, rewritten.Photos);
        Assert.Equal(file.Done, rewritten.Done);
        Assert.Equal(file.Set.Keys, rewritten.Set.Keys);
    }

    [Fact]
    public void The_header_of_an_eight_million_row_file_stays_far_under_pythons_limit()
    {
        // ImageNet's train + val (1,331,167 photos) × 6 processings, 1 dimension so that the test stays small on disk.
        const int photos = 1_331_167, rows = photos * 6;
        var path = Path.Combine(TestData.TempFolder("layout"), "eight-million.safetensors");
        var photoCodes = new int[rows];
        var processing = new int[rows];
        for (var i = 0; i < rows; i++) (photoCodes[i], processing[i]) = (i / 6, i % 6);
        var names = Utf8Strings.Encode(Enumerable.Range(0, photos).Select(p => $"train/n{p % 1000:00000000}/n{p % 1000:00000000}_{p}.JPEG").ToArray());
        var columns = new ItemColumns
        {
            Keys = new Utf8Strings([], new long[rows + 1]),
            Processing = new CodedColumn(Jpeg, processing),
            Photos = new CodedColumn(names, photoCodes),
            Crops = new int[rows],
            Done = new bool[rows],
            Split = new CodedColumn(["train", "test"], new int[rows]),
        };
        using (var writer = EmbeddingsFile.Create(path, 1, columns, new Dictionary<string, string> { ["layout"] = "paper" }))
            writer.Complete(Enumerable.Repeat(true, rows).ToArray());

        var headerBytes = BinaryPrimitives.ReadInt64LittleEndian(File.ReadAllBytes(path).AsSpan(0, 8));
        Assert.InRange(headerBytes, 1, 10_000);
        Assert.True(headerBytes < SafetensorsFile.MaxHeaderBytes);
        var file = EmbeddingsFile.ReadHeader(path);
        Assert.Equal(rows, file.Count);
        Assert.Equal($"train/n{(photos - 1) % 1000:00000000}/n{(photos - 1) % 1000:00000000}_{photos - 1}.JPEG", file.Photos[rows - 1]);
        Assert.Equal("JPEG95_444", file.Set.Processing[rows - 1]);
        File.Delete(path);
    }

    [Fact]
    public void A_header_over_pythons_limit_is_refused_before_anything_is_written()
    {
        var path = Path.Combine(TestData.TempFolder("layout"), "huge.safetensors");
        var columns = ItemColumns.FromMetadata(["a"], ["P"], new Dictionary<string, string>(), "test");
        var error = Assert.Throws<InvalidDataException>(() => EmbeddingsFile.Create(path, 1, columns,
            new Dictionary<string, string> { ["notes"] = new string('x', 100_000_001) }));
        Assert.Contains("100,000,000", error.Message);
        Assert.False(File.Exists(path));
    }

    /// <summary>A small paper-layout file: photos × 3 classes, each class a direction the rows lean towards.</summary>
    private static string PaperFile(string name, int train, int val, int dim)
    {
        var classes = new[] { "JPEG75_420", "JPEG85_420", "JPEG95_420" };
        var random = new Random(7);
        var photos = train + val;
        var rows = new float[photos * classes.Length * dim];
        for (var r = 0; r < photos * classes.Length; r++)
        {
            var row = rows.AsSpan(r * dim, dim);
            for (var d = 0; d < dim; d++) row[d] = (float)(random.NextDouble() - 0.5);
            row[r % classes.Length] += 0.6f;
            System.Numerics.Tensors.TensorPrimitives.Divide(row, System.Numerics.Tensors.TensorPrimitives.Norm(row), row);
        }
        var items = Enumerable.Range(0, photos * classes.Length).ToArray();
        var columns = new ItemColumns
        {
            Keys = items.Select(i => $"p{i / 3}#{i % 3}").ToArray(),
            Processing = CodedColumn.Encode(items.Select(i => classes[i % 3])),
            Photos = CodedColumn.Encode(items.Select(i => $"c{i / 3 % 4}/p{i / 3}.jpg")),
            Crops = new int[items.Length],
            Done = items.Select(i => i != 5).ToArray(),
            Split = CodedColumn.Encode(items.Select(i => i / 3 < train ? "train" : "test")),
            Semantic = CodedColumn.Encode(items.Select(i => $"c{i / 3 % 4}")),
        };
        var path = Path.Combine(TestData.TempFolder("layout"), name);
        EmbeddingsFile.Write(path, EmbeddingSet.Of(rows, dim, columns, new Dictionary<string, string> { ["task"] = "unregistered", ["layout"] = "paper" }));
        return path;
    }

    [Fact]
    public void The_paper_probe_read_from_the_file_equals_the_probe_on_rows_in_memory()
    {
        var path = PaperFile("probe.safetensors", train: 90, val: 30, dim: 12);
        var options = new ProbeOptions { Protocol = ProbeProtocol.Paper, Trials = 3, Epochs = 20 };
        var streamed = EmbeddingsProbe.Run(EmbeddingsFile.ReadHeader(path), options, seeds: 3);
        var loaded = EmbeddingsProbe.Run(EmbeddingsFile.Read(path), options, seeds: 3);
        Assert.Equal(Digest(loaded), Digest(streamed));
        var top1 = streamed.Records.Single(r => r.Metric == MetricNames.Top1);
        Assert.NotNull(top1.Std);
        Assert.NotNull(top1.Ci95);
        // Photo 1 lost one of its rows (item 5): 89 complete training photos, 30 val photos × 3 classes.
        Assert.Equal(89, top1.NTrain);
        Assert.Equal(90, top1.NTest);
        Assert.True(top1.Value > 0.5, $"top-1 {top1.Value} on classes the rows lean towards");
    }

    [Fact]
    public void The_quick_probe_reads_its_rows_from_the_file_as_from_memory()
    {
        var path = PaperFile("quick.safetensors", train: 60, val: 20, dim: 8);
        var options = new ProbeOptions { Protocol = ProbeProtocol.Fast };
        Assert.Equal(Digest(EmbeddingsProbe.Run(EmbeddingsFile.Read(path), options, 2)), Digest(EmbeddingsProbe.Run(EmbeddingsFile.ReadHeader(path), options, 2)));
    }

    private static string[] Digest(Summary summary) => summary.Records
        .Select(r => $"{r.Task}|{r.Setup}|{r.Metric}|{r.Value:R}|{r.Std:R}|{string.Join(",", r.Ci95 ?? [])}|{r.NTrain}|{r.NTest}").ToArray();
}
