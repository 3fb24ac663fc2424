using TraceProbe.Common;
using TraceProbe.Neighbours;

namespace TraceProbe.Tests.Neighbours;

public class NearDuplicateRetrievalTests
{
    /// <summary>Subject i along e_i, class trace ±τ along the last axis (phone +, camera −).</summary>
    private static (float[] Phone, float[] Camera, int Dim) Pairs(int n, float tau)
    {
        var dim = n + 1;
        var norm = MathF.Sqrt(1 + tau * tau);
        var a = new float[n * dim];
        var b = new float[n * dim];
        for (var i = 0; i < n; i++)
        {
            a[i * dim + i] = 1 / norm; a[i * dim + n] = tau / norm;
            b[i * dim + i] = 1 / norm; b[i * dim + n] = -tau / norm;
        }
        return (a, b, dim);
    }

    [Fact]
    public void A_strong_shared_trace_defeats_hard_but_not_easy_negatives()
    {
        // pair: (1 − τ²)/(1+τ²) = 0; same class: τ²/(1+τ²) = 0.5; other pair across classes: −0.5.
        var (a, b, dim) = Pairs(4, tau: 1f);
        var r = NearDuplicateRetrieval.Evaluate(a, b, dim);
        Assert.Equal(0.0, r.RecallAt1Hard);
        Assert.Equal(1.0, r.RecallAt1Easy);
        Assert.Equal(4, r.Pairs);
    }

    [Fact]
    public void A_weak_trace_leaves_both_protocols_perfect()
    {
        var (a, b, dim) = Pairs(5, tau: 0.5f);
        var r = NearDuplicateRetrieval.Evaluate(a, b, dim);
        Assert.Equal(1.0, r.RecallAt1Hard);
        Assert.Equal(1.0, r.RecallAt1Easy);
    }

    [Fact]
    public void Directions_are_scored_separately_and_ties_are_misses()
    {
        // Phones 0 and 1 are identical; cameras all differ. Phone→camera: pair 0 and 1 are fine (easy),
        // but hard negatives tie for phones 0 and 1. Camera→phone easy: cameras 0 and 1 see two identical phones.
        float[] phone = [1, 0, 0, 1, 0, 0, 0, 0, 1];
        float[] camera = [0.8f, 0.6f, 0, 0.8f, -0.6f, 0, 0, 0, 1];
        var r = NearDuplicateRetrieval.Evaluate(phone, camera, 3);
        // Phone 0 → camera 0: 0.8 vs camera 1 also 0.8: tie → miss; likewise phone 1. Phone 2 hits.
        Assert.Equal(1.0 / 3, r.EasyFirstToSecond, 12);
        // Hard: phone 0's negatives are phones 1 (sim 1 > 0.8) and 2: miss; phone 1 likewise; phone 2 hits.
        Assert.Equal(1.0 / 3, r.HardFirstToSecond, 12);
        // Camera 0 → phone 0: 0.8, but phone 1 (negative) is identical: tie → miss. Camera 2 hits.
        Assert.Equal(1.0 / 3, r.EasySecondToFirst, 12);
        // Camera 0's hard negatives: camera 1 (0.64 − 0.36 = 0.28) and camera 2 (0) below 0.8: hit; all hit.
        Assert.Equal(1.0, r.HardSecondToFirst, 12);
        Assert.Equal((1.0 / 3 + 1.0) / 2, r.RecallAt1Hard, 12);
        // Per query class: phones as queries, then cameras, each with its hard and easy score.
        var perClass = r.PerQueryClass;
        Assert.Equal((0, 1), (perClass[0].QueryClass, perClass[1].QueryClass));
        Assert.Equal(1.0 / 3, perClass[0].Hard, 12);
        Assert.Equal(1.0 / 3, perClass[0].Easy, 12);
        Assert.Equal(1.0, perClass[1].Hard, 12);
        Assert.Equal(1.0 / 3, perClass[1].Easy, 12);
    }

    [Fact]
    public void Random_pairs_match_a_direct_count()
    {
        const int n = 150, dim = 20;
        var rng = new SeededRandom(4);
        var a = CosineKnnTests.UnitRows(rng, n, dim);
        var b = CosineKnnTests.UnitRows(rng, n, dim);
        for (var i = 0; i < a.Length; i++) b[i] = 0.7f * b[i] + a[i]; // related pairs, so recall is neither 0 nor 1
        double Sim(float[] x, int i, float[] y, int j)
        {
            double s = 0;
            for (var d = 0; d < dim; d++) s += (double)x[i * dim + d] * y[j * dim + d];
            return s;
        }
        double Recall(float[] q, float[] t, float[] negatives)
            => Enumerable.Range(0, n).Count(i => Enumerable.Range(0, n).Where(j => j != i).All(j => Sim(q, i, t, i) > Sim(q, i, negatives, j))) / (double)n;
        var r = NearDuplicateRetrieval.Evaluate(a, b, dim);
        Assert.Equal(Recall(a, b, a), r.HardFirstToSecond, 12);
        Assert.Equal(Recall(b, a, b), r.HardSecondToFirst, 12);
        Assert.Equal(Recall(a, b, b), r.EasyFirstToSecond, 12);
        Assert.Equal(Recall(b, a, a), r.EasySecondToFirst, 12);
        Assert.InRange(r.RecallAt1Easy, 0.01, 0.99);
    }
}
