using TraceProbe.Common;
using TraceProbe.Embeddings;
using TraceProbe.Neighbours;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Neighbours;

public class KnnInfluenceStreamingTests
{
    private const int Items = 240, P = 3, Dim = 16;

    private static (float[] X, int[] Labels, int[] QueryItems, int[] DbItems) Data()
    {
        var rng = new SeededRandom(12);
        var x = CosineKnnTests.UnitRows(rng, Items * P, Dim);
        var labels = Enumerable.Range(0, Items).Select(_ => rng.Next(6)).ToArray();
        return (x, labels, Enumerable.Range(0, Items).Where(i => i % 4 == 0).ToArray(), Enumerable.Range(0, Items).Where(i => i % 4 != 0).ToArray());
    }

    private static KnnInfluenceInput InMemory(float[] x, int[] labels, int[] queryItems, int[] dbItems)
    {
        float[] Gather(int[] items) => items.SelectMany(i => x.AsSpan(i * P * Dim, P * Dim).ToArray()).ToArray();
        return new KnnInfluenceInput(new InMemoryRows(Gather(queryItems), queryItems.Length, P, Dim), queryItems.Select(i => labels[i]).ToArray(),
            new InMemoryRows(Gather(dbItems), dbItems.Length, P, Dim), dbItems.Select(i => labels[i]).ToArray());
    }

    [Fact]
    public void Rows_read_from_an_embeddings_file_give_the_in_memory_result()
    {
        var (x, labels, queryItems, dbItems) = Data();
        // The file stores rows processing-major (as a run writes one processing after another); the row map finds them.
        var fileRows = new float[x.Length];
        int FileRow(int item, int p) => p * Items + item;
        for (var i = 0; i < Items; i++)
            for (var p = 0; p < P; p++) x.AsSpan((i * P + p) * Dim, Dim).CopyTo(fileRows.AsSpan(FileRow(i, p) * Dim));
        var path = Path.Combine(TestData.TempFolder("knn-rows"), "e.safetensors");
        var keys = Enumerable.Range(0, Items * P).Select(r => $"photo{r % Items}").ToList();
        EmbeddingsFile.Write(path, new EmbeddingSet(fileRows, Dim, keys, keys.Select(k => "x").ToList(), new Dictionary<string, string>()));

        int[] Map(int[] items) => items.SelectMany(i => Enumerable.Range(0, P).Select(p => FileRow(i, p))).ToArray();
        using var queries = new EmbeddingsFileRows(path, Map(queryItems), P);
        using var database = new EmbeddingsFileRows(path, Map(dbItems), P);
        var options = new KnnOptions { K = 5, Seed = 2, UniformSeeds = 3 };
        var fromFile = KnnInfluence.Evaluate(new KnnInfluenceInput(queries, queryItems.Select(i => labels[i]).ToArray(), database, dbItems.Select(i => labels[i]).ToArray()), options);
        var inMemory = KnnInfluence.Evaluate(InMemory(x, labels, queryItems, dbItems), options);
        Assert.Equal(inMemory.Setups, fromFile.Setups);
        Assert.Equal(inMemory.PosSameByPair, fromFile.PosSameByPair);
        Assert.Equal(inMemory.UniformBySeed, fromFile.UniformBySeed);
        for (var s = 0; s < 5; s++) Assert.Equal(inMemory.ByQuery[s], fromFile.ByQuery[s]);
    }

    [Fact]
    public void A_row_outside_the_file_is_an_error_naming_the_file()
    {
        var path = Path.Combine(TestData.TempFolder("knn-rows"), "small.safetensors");
        EmbeddingsFile.Write(path, new EmbeddingSet(new float[8], 4, ["a", "b"], ["x", "y"], new Dictionary<string, string>()));
        var e = Assert.Throws<ArgumentException>(() => new EmbeddingsFileRows(path, [0, 5], 2));
        Assert.Contains("small.safetensors", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_safetensors_is_an_error_naming_it()
    {
        var path = Path.Combine(TestData.TempFolder("knn-rows"), "notes.safetensors");
        File.WriteAllBytes(path, [16, 0, 0, 0, 0, 0, 0, 0, .. "not json at all!"u8]);
        var e = Assert.Throws<InvalidDataException>(() => new EmbeddingsFileRows(path, [0], 1));
        Assert.Contains("notes.safetensors", e.Message);
    }

    /// <summary>
    /// Killed after a few passes (an exception from the progress callback), resumed from the state file: the same
    /// result, whether the kill came between query blocks or inside one (whose lists the state must bring back).
    /// </summary>
    [Theory]
    [InlineData(7)]  // after p = 0's three blocks
    [InlineData(8)]  // inside p = 0's third block
    [InlineData(14)] // inside p = 1's second block
    public void An_interrupted_run_resumes_from_its_state_file_with_the_same_result(int killedAtPass)
    {
        var (x, labels, queryItems, dbItems) = Data();
        var input = InMemory(x, labels, queryItems, dbItems);
        var options = new KnnOptions { K = 4, Seed = 8, UniformSeeds = 4, QueryRowsInMemory = 25 }; // 3 query blocks (25, 25, 10): 27 passes
        var uninterrupted = KnnInfluence.Evaluate(input, options);

        var state = Path.Combine(TestData.TempFolder($"knn-state-{killedAtPass}"), "knn.state");
        File.Delete(state);
        var reports = 0;
        var killer = new SyncProgress(_ => { if (++reports == killedAtPass) throw new OperationCanceledException("killed"); });
        Assert.Throws<OperationCanceledException>(() => KnnInfluence.Evaluate(input, options, killer, state));
        Assert.True(File.Exists(state));

        var first = new List<KnnProgress>();
        var resumed = KnnInfluence.Evaluate(input, options, new SyncProgress(first.Add), state);
        Assert.True(first[0].MultiplyAddsDone > (long)queryItems.Length / 2 * dbItems.Length * Dim, "the resumed run redid finished passes");
        Assert.Equal(uninterrupted.Setups, resumed.Setups);
        Assert.Equal(uninterrupted.NegSameByPair, resumed.NegSameByPair);
        Assert.Equal(uninterrupted.UniformBySeed, resumed.UniformBySeed);
        for (var s = 0; s < 5; s++) Assert.Equal(uninterrupted.ByQuery[s], resumed.ByQuery[s]); // per-query votes are kept in the state too
        Assert.Equal(1.0, first[^1].Fraction);
        Assert.Equal(27 - (killedAtPass - 1), first.Count); // one report per pass (one database block): no finished pass redone

        // A state written by another run (here: another k) is not used.
        var otherK = KnnInfluence.Evaluate(input, options with { K = 3 }, null, state);
        Assert.Equal(KnnInfluence.Evaluate(input, options with { K = 3 }).Setups, otherK.Setups);
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the tests need the callback on the reporting thread.</summary>
    private sealed class SyncProgress(Action<KnnProgress> report) : IProgress<KnnProgress>
    {
        public void Report(KnnProgress value) => report(value);
    }

    [Fact]
    public void A_cancelled_run_stops_between_blocks_and_a_rerun_resumes_to_the_uninterrupted_result()
    {
        var (x, labels, queryItems, dbItems) = Data();
        var options = new KnnOptions { K = 5, Seed = 2, UniformSeeds = 3 };
        var state = Path.Combine(TestData.TempFolder("knn-cancel"), "state.bin");
        using var cancel = new CancellationTokenSource();
        var reports = 0;
        // Cancelled at the first progress report, as Ctrl+C would be while the passes run.
        var progress = new InlineProgress(_ => { reports++; cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            KnnInfluence.Evaluate(InMemory(x, labels, queryItems, dbItems), options, progress, state, cancel.Token));
        Assert.Equal(1, reports);
        var resumed = KnnInfluence.Evaluate(InMemory(x, labels, queryItems, dbItems), options, null, state);
        var whole = KnnInfluence.Evaluate(InMemory(x, labels, queryItems, dbItems), options);
        Assert.Equal(whole.Setups, resumed.Setups);
    }

    private sealed class InlineProgress(Action<KnnProgress> report) : IProgress<KnnProgress>
    {
        public void Report(KnnProgress value) => report(value);
    }
}
