namespace TraceProbe.Tests.Probes;

/// <summary>Seeded synthetic embeddings: Gaussian classes around random means, L2-normalised like the encoders'.</summary>
internal static class ProbeData
{
    public static (float[] X, int[] Y) Gaussian(int rows, int dim, int classes, double separation, int seed, int meanSeed = 1)
    {
        var means = new double[classes * dim];
        var meanRandom = new Random(meanSeed);
        for (var i = 0; i < means.Length; i++)
            means[i] = Normal(meanRandom) * separation;
        var random = new Random(seed);
        var x = new float[rows * dim];
        var y = new int[rows];
        for (var r = 0; r < rows; r++)
        {
            y[r] = r % classes;
            double norm = 0;
            for (var d = 0; d < dim; d++)
            {
                var v = means[y[r] * dim + d] + Normal(random);
                x[r * dim + d] = (float)v;
                norm += v * v;
            }

            var inverse = (float)(1 / Math.Sqrt(norm));
            for (var d = 0; d < dim; d++)
                x[r * dim + d] *= inverse;
        }

        return (x, y);
    }

    public static float[] Uniform(int length, int seed, double scale = 1)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (var i = 0; i < length; i++)
            values[i] = (float)((2 * random.NextDouble() - 1) * scale);
        return values;
    }

    public static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Mean cross-entropy of logits W·x + b, all in double: the reference the kernels are checked against.</summary>
    public static double ReferenceLoss(float[] x, int[] y, int dim, int classes, double[] parameters)
    {
        var rows = y.Length;
        double total = 0;
        var z = new double[classes];
        for (var r = 0; r < rows; r++)
        {
            var max = double.NegativeInfinity;
            for (var c = 0; c < classes; c++)
            {
                var s = parameters[classes * dim + c];
                for (var d = 0; d < dim; d++)
                    s += parameters[c * dim + d] * x[r * dim + d];
                z[c] = s;
                max = Math.Max(max, s);
            }

            double sum = 0;
            foreach (var v in z)
                sum += Math.Exp(v - max);
            total += Math.Log(sum) + max - z[y[r]];
        }

        return total / rows;
    }
}
