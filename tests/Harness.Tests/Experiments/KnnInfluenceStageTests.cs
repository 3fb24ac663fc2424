using TraceProbe.Common;
using TraceProbe.Embeddings;
using TraceProbe.Experiments;
using TraceProbe.Neighbours;
using TraceProbe.Results;
using TraceProbe.Tests.Neighbours;
using TraceProbe.Tests.Support;

namespace TraceProbe.Tests.Experiments;

public class KnnInfluenceStageTests
{
    [Fact]
    public void Streaming_from_the_embeddings_file_gives_the_in_memory_records_and_logs_cost_and_progress()
    {
        const int photos = 12, crops = 4, P = 3, dim = 16;
        var rng = new SeededRandom(6);
        // Items in plan order: photo, crop, processing; a few train items in between that kNN must skip.
        var items = new List<TraceItem>();
        for (var photo = 0; photo < photos; photo++)
            for (var crop = 0; crop < crops; crop++)
                for (var p = 0; p < P; p++)
                    items.Add(new TraceItem(items.Count, photo, crop, default, p, IsTest: crop != 3));
        var x = CosineKnnTests.UnitRows(rng, items.Count, dim);
        var done = Enumerable.Repeat(true, items.Count).ToArray();
        done[7] = false; // photo 0, crop 2, processing 1 was not made: that crop is left out
        var path = Path.Combine(TestData.TempFolder("knn-stage"), "e.safetensors");
        var keys = items.Select(i => $"p{i.Photo}#crop{i.Crop}").ToList();
        SafetensorsFile.Write(path, new EmbeddingSet(x, dim, keys, items.Select(i => $"P{i.Label}").ToList(), new Dictionary<string, string>()));
        var template = new SummaryRecord { Encoder = "e", Family = "Control", Experiment = "knn", Task = "t", Setup = "", Metric = "", Value = 0 };
        var options = new KnnOptions { K = 3, Seed = 1, UniformSeeds = 2 };

        var inMemory = KnnInfluenceStage.Run(x, dim, items, done, P, template, options);
        var lines = new List<string>();
        var streamed = KnnInfluenceStage.Run(path, dim, items, done, P, template, options, log: lines.Add);

        Assert.Equal(6, inMemory.Count);
        Assert.Equal(inMemory.Select(r => (r.Setup, r.Value, r.Std, r.NTest, r.NTrain)), streamed.Select(r => (r.Setup, r.Value, r.Std, r.NTest, r.NTrain)));
        Assert.Equal(23, inMemory[0].NTest);   // queries: crops 0 and 2 of 12 photos, less the one not made
        Assert.Equal(12, inMemory[0].NTrain);  // database: crop 1 of each photo (crop 3 is a training crop)
        Assert.StartsWith("kNN influence: 9 similarity passes", lines[0]);
        Assert.Contains("100.0%", lines[^1]);
    }
}
