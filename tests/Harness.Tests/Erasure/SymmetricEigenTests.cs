using TraceProbe.Common;
using TraceProbe.Erasure;

namespace TraceProbe.Tests.Erasure;

public class SymmetricEigenTests
{
    private static double[] RandomSymmetric(SeededRandom rng, int n)
    {
        var a = new double[n * n];
        for (var i = 0; i < n; i++)
            for (var j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.NextDouble() * 2 - 1;
        return a;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(64)]
    public void Reconstructs_the_matrix_with_orthonormal_vectors(int n)
    {
        var a = RandomSymmetric(new SeededRandom((ulong)n), n);
        var (values, v) = SymmetricEigen.Decompose(a, n);
        var scale = Math.Max(1, values.Max(Math.Abs));
        for (var i = 0; i < n - 1; i++) Assert.True(values[i] >= values[i + 1]);
        for (var r = 0; r < n; r++)
            for (var s = 0; s < n; s++)
            {
                double dot = 0, av = 0;
                for (var k = 0; k < n; k++) dot += v[r * n + k] * v[s * n + k];
                Assert.Equal(r == s ? 1 : 0, dot, 1e-10);
                // (A v_r)_s = λ_r v_r[s]
                for (var k = 0; k < n; k++) av += a[s * n + k] * v[r * n + k];
                Assert.Equal(values[r] * v[r * n + s], av, 1e-10 * scale);
            }
    }

    [Fact]
    public void Handles_repeated_and_zero_eigenvalues()
    {
        // [[1,1],[1,1]] ⊕ [2]: eigenvalues 2, 2, 0.
        double[] a = [1, 1, 0, 1, 1, 0, 0, 0, 2];
        var (values, _) = SymmetricEigen.Decompose(a, 3);
        Assert.Equal(2, values[0], 12);
        Assert.Equal(2, values[1], 12);
        Assert.Equal(0, values[2], 12);
    }
}
