using System.Diagnostics;
using System.Text.Json;
using TraceProbe.Cli;
using TraceProbe.Embeddings;
using TraceProbe.Results;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Embeddings;

/// <summary>
/// The Python side of the embeddings file (tools/embeddings_format.py, tools/embeddings_example.py) against the
/// program's own reader and writer, run with Debian's python3 and numpy: each reads what the other writes.
/// </summary>
public sealed class PythonExampleTests
{
    private static readonly string Tools = Path.Combine(RepositoryRoot(), "tools");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Harness.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Repository root (Harness.sln) not found above the test binaries.");
    }

    /// <summary>Debian's interpreter where it is (its numpy is the one the docs name), else the first on PATH.</summary>
    private static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>Runs python3 with <paramref name="args"/>; a missing interpreter or numpy fails the test saying what to install.</summary>
    private static string RunPython(params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        if (code != 0 && stderr.Contains("No module named 'numpy'"))
            Assert.Fail($"numpy is not installed for {Python}: these tests need it (apt-get install python3-numpy).\n{stderr}");
        Assert.True(code == 0, $"python3 {string.Join(" ", args)} exited {code}:\n{stderr}");
        return stdout;
    }

    private static (int Code, string Stdout, string Stderr) Run(string[] args)
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"python3 is not installed ({e.Message}): these tests need it with numpy (apt-get install python3-numpy).");
            throw;
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout, stderr.Result);
        }
    }

    private static string Example => Path.Combine(Tools, "embeddings_example.py");

    [Fact]
    public void The_python_reader_and_writer_pass_their_own_unit_tests() =>
        RunPython(Path.Combine(Tools, "test_embeddings_format.py"));

    [Fact]
    public void Python_reads_a_file_the_program_writes_with_the_same_rows_and_labels()
    {
        // Names with a '#', a non-ASCII letter and a crop suffix; a row that was not embedded; a photo without a class.
        string[] photos = ["a#1.jpg", "a#1.jpg", "b\u00e9.jpg", "c.jpg", "c.jpg"];
        string[] processing = ["JPEG75_420", "JPEG95_444", "JPEG75_420", "JPEG85_420", "JPEG95_444"];
        int[] crops = [0, 1, 0, 2, 2];
        string[] split = ["train", "train", "test", "test", "test"];
        bool[] done = [true, true, false, true, true];
        string?[] semantic = ["cat", "cat", null, "dog", "dog"];
        var keys = photos.Select((p, i) => $"{p}#crop{crops[i]}").ToArray();
        const int dim = 3;
        var values = new float[photos.Length * dim];
        for (var i = 0; i < values.Length; i++) values[i] = done[i / dim] ? MathF.Sin(i + 1) / 3 : 0;
        var metadata = new Dictionary<string, string>(EmbeddingsFile.ItemMetadata(photos, crops, split))
        {
            [EmbeddingsFile.DoneKey] = JsonSerializer.Serialize(done),
            ["semantic"] = JsonSerializer.Serialize(semantic),
            [EmbeddingsFile.EncoderKey] = "resnet18",
            [EmbeddingsFile.TaskKey] = "jpeg",
        };
        var path = Path.Combine(TestData.TempFolder("python-reads"), "e.safetensors");
        EmbeddingsFile.Write(path, new EmbeddingSet(values, dim, keys, processing, metadata));

        using var json = JsonDocument.Parse(RunPython(Example, "show", path, "--json", "--rows", "10"));
        var read = json.RootElement;
        Assert.Equal((photos.Length, dim), (read.GetProperty("rows").GetInt32(), read.GetProperty("dim").GetInt32()));
        Assert.Equal(keys, Strings(read, "keys"));
        Assert.Equal(processing, Strings(read, "processing"));
        Assert.Equal(split, Strings(read, "split"));
        Assert.Equal(photos, Strings(read, "photos"));
        Assert.Equal(crops, read.GetProperty("crop").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(done, read.GetProperty("done").EnumerateArray().Select(e => e.GetBoolean()));
        Assert.Equal(semantic, Strings(read, "semantic"));
        // float32 values travel as the doubles they are: exact.
        Assert.Equal(values, read.GetProperty("embeddings").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(e => (float)e.GetDouble()));
        Assert.Equal("resnet18", read.GetProperty("metadata").GetProperty("encoder").GetString());
        Assert.Equal("jpeg", read.GetProperty("metadata").GetProperty("task").GetString());
        // By safetensors' own rules (header size, byte ranges tiling the data), Python's safetensors opens it too.
        Assert.Empty(read.GetProperty("container_problems").EnumerateArray());
    }

    [Fact]
    public void The_program_reads_a_file_the_python_writer_writes_column_for_column()
    {
        var path = Path.Combine(TestData.TempFolder("python-writes"), "e.safetensors");
        const string script = """
            import sys, numpy as np
            sys.path.insert(0, sys.argv[1])
            import embeddings_format as ef
            x = (np.arange(15, dtype=np.float32).reshape(5, 3) - 7) / 8
            ef.write(sys.argv[2], x,
                     processing=["JPEG75_420", "JPEG95_444", "JPEG75_420", "JPEG85_420", "JPEG95_444"],
                     split=["train", "train", "test", "test", "test"],
                     photos=["a#1.jpg", "a#1.jpg", "b\u00e9.jpg", "c.jpg", "c.jpg"],
                     semantic=["cat", "cat", None, "dog", "dog"],
                     crop=[0, 1, 0, 2, 2], done=[True, True, False, True, True],
                     keys=["k0", "k1", "k2\u00e9", "k3", "k4"],
                     metadata={"encoder": "my-encoder", "task": "jpeg", "seed": 7})
            """;
        RunPython("-c", script, Tools, path);

        var file = EmbeddingsFile.Read(path);
        Assert.Equal(3, file.Set.Dim);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (i - 7) / 8f), file.Set.Embeddings);
        Assert.Equal(["JPEG75_420", "JPEG95_444", "JPEG75_420", "JPEG85_420", "JPEG95_444"], file.Set.Processing);
        Assert.Equal(["train", "train", "test", "test", "test"], file.RequireSplit());
        Assert.Equal(["a#1.jpg", "a#1.jpg", "b\u00e9.jpg", "c.jpg", "c.jpg"], file.Photos);
        Assert.Equal([0, 1, 0, 2, 2], file.Crops);
        Assert.Equal([true, true, false, true, true], file.Done);
        Assert.Equal(["k0", "k1", "k2\u00e9", "k3", "k4"], file.Set.Keys);
        Assert.Equal(("my-encoder", "jpeg"), (file.Encoder, file.Task));
        Assert.Equal("7", file.Set.Metadata["seed"]);
    }

    [Fact]
    public void A_python_file_with_only_rows_processing_and_split_reads_with_the_documented_defaults()
    {
        var path = Path.Combine(TestData.TempFolder("python-least"), "e.safetensors");
        const string script = """
            import sys, numpy as np
            sys.path.insert(0, sys.argv[1])
            import embeddings_format as ef
            ef.write(sys.argv[2], np.eye(4, dtype=np.float32), processing=["JPEG75_420", "JPEG95_444"] * 2,
                     split=["train", "train", "test", "test"])
            """;
        RunPython("-c", script, Tools, path);

        var file = EmbeddingsFile.Read(path);
        // Without `photo` every row is its own photo; done, crop and keys default to 1, 0 and photo#processing.
        Assert.Equal(4, file.Photos.Distinct().Count());
        Assert.All(file.Done, Assert.True);
        Assert.All(file.Crops, c => Assert.Equal(0, c));
        Assert.Equal(file.Photos.Select((p, i) => $"{p}#{file.Set.Processing[i]}"), file.Set.Keys);
    }

    [Fact]
    public async Task The_python_example_writes_a_file_probe_and_knn_accept()
    {
        var folder = TestData.TempFolder("python-byo");
        var path = Path.Combine(folder, "mine.safetensors");
        RunPython(Example, "write", path);

        var file = EmbeddingsFile.Read(path);
        Assert.Equal((128 * 6, 32), (file.Count, file.Set.Dim));
        Assert.Equal(("my-encoder", "jpeg"), (file.Encoder, file.Task));

        var probeOut = Path.Combine(folder, "probe");
        Assert.Equal(ExitCodes.Success, await TraceProbeApp.RunAsync(["probe", "--embeddings", path, "--out", probeOut, "--quiet"]));
        var top1 = Summary.Read(Path.Combine(probeOut, "summary.json")).Records.Single(r => r.Metric == MetricNames.Top1);
        // The example's rows carry a processing direction: the probe finds it.
        Assert.True(top1.Value > top1.Chance, $"top-1 {top1.Value} at chance {top1.Chance}");

        var knnOut = Path.Combine(folder, "knn");
        Assert.Equal(ExitCodes.Success, await TraceProbeApp.RunAsync(["knn", "--embeddings", path, "--out", knnOut, "--quiet"]));
        Assert.Contains(Summary.Read(Path.Combine(knnOut, "summary.json")).Records, r => r.Experiment == ExperimentNames.Knn);
        // The file does not say which photos it came from: neither summary names any.
        Assert.Null(file.SourceDataset);
        Assert.All(new[] { probeOut, knnOut }, o => Assert.Null(Summary.Read(Path.Combine(o, "summary.json")).Manifest!.Dataset));
    }

    [Fact]
    public void Pythons_convert_keeps_the_photos_a_file_names_and_metadata_it_does_not_know()
    {
        var folder = TestData.TempFolder("python-convert");
        var source = new SourceDataset("photos/\u00e9t\u00e9 \"2024\"", "folder", 2, new string('0', 64));
        var metadata = new Dictionary<string, string>(EmbeddingsFile.ItemMetadata(["a.jpg", "b.jpg"], [0, 0], ["train", "test"]))
        {
            [SourceDataset.Key] = source.ToJson(),
            [EmbeddingsFile.RegistryKey] = new string('f', 64),
            ["a_later_key"] = "{\"nested\": [1, \"x\"]}",
        };
        var path = Path.Combine(folder, "run.safetensors");
        EmbeddingsFile.Write(path, new EmbeddingSet([1, 0, 0, 1], 2, ["a.jpg#P", "b.jpg#Q"], ["P", "Q"], metadata));
        var converted = Path.Combine(folder, "converted.safetensors");
        RunPython(Example, "convert", path, converted);

        var file = EmbeddingsFile.Read(converted);
        Assert.Equal(source, file.SourceDataset);
        Assert.Equal(new string('f', 64), file.Set.Metadata[EmbeddingsFile.RegistryKey]);
        Assert.Equal(metadata["a_later_key"], file.Set.Metadata["a_later_key"]);
    }

    [Fact]
    public void The_python_example_reads_a_summary_csv_and_prints_each_tasks_top1()
    {
        var folder = TestData.TempFolder("python-summary");
        var path = Path.Combine(folder, "mine.safetensors");
        RunPython(Example, "write", path, "--photos", "8", "--dim", "4");
        var csv = Path.Combine(folder, "summary.csv");
        File.WriteAllText(csv, string.Join(",", TraceProbe.Reports.SummaryCsv.Columns) + "\n"
            + "resnet18,Supervised,processing,jpeg,,top1,0.41,0.01,0.16666666666666666,120,60,JPEG75_420;JPEG95_444,0.35,0.47,10\n");

        var printed = RunPython(Example, "show", path, "--summary", csv);
        Assert.Contains("resnet18/jpeg processing: 0.410 [0.350, 0.470] (chance 0.167)", printed);
        Assert.Contains("JPEG95_444", printed);
    }

    private static string?[] Strings(JsonElement element, string name) =>
        element.GetProperty(name).EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? null : e.GetString()).ToArray();
}
