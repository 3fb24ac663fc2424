using System.Numerics.Tensors;
using TraceProbe.Erasure;
using TraceProbe.Neighbours;
using TraceProbe.Tests.Neighbours;

namespace TraceProbe.Tests.Erasure;

public class ErasureKnnTests
{
    [Fact]
    public void Erasing_the_processing_trace_removes_the_distraction()
    {
        const int P = 3;
        var (x, dim, labels, isQuery) = KnnInfluenceTests.Toy(classes: 2, processings: P, perClassDb: 20, perClassQuery: 4, alpha: 0.6f, beta: 0.8f);
        var before = KnnInfluence.Evaluate(x, labels.Length, P, dim, labels, isQuery);

        // Fit on the database items only (the training side), labelled by their processing.
        var train = new List<float>();
        var trace = new List<int>();
        for (var i = 0; i < labels.Length; i++)
            if (!isQuery[i])
                for (var r = 0; r < P; r++) { train.AddRange(x.AsSpan((i * P + r) * dim, dim).ToArray()); trace.Add(r); }
        var erased = TraceEraser.Fit(train.ToArray(), trace.ToArray(), dim, P).Apply(x);
        for (var row = 0; row < erased.Length / dim; row++)
        {
            var v = erased.AsSpan(row * dim, dim);
            TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v); // cosine kNN wants unit rows again
        }
        var after = KnnInfluence.Evaluate(erased, labels.Length, P, dim, labels, isQuery);

        Assert.Equal(1.0, before.DistractionScore);
        Assert.Equal(0.0, after.DistractionScore);
        Assert.Equal(1.0, after.NegSame.Mean);
    }
}
