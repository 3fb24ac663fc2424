namespace TraceProbe.Images;

/// <summary>
/// jdsample.c h2v1_fancy_upsample (4:2:2 chroma, doubled across): each output 3/4 the nearer input and 1/4 the
/// further, rounding 1 on even and 2 on odd output columns, the first and last inputs copied at the edges; plain
/// replication (h2v1_upsample) when the row is at most 2 samples wide, as jinit_upsampler chooses. Hand-written for
/// <see cref="BaselineJpegDecoder"/>.
/// </summary>
internal static class ChromaUpsamplingH2V1
{
    /// <param name="input">One chroma row, its downsampled width long.</param>
    /// <param name="output">Twice the input's length (the last column may lie beyond the image); the first
    /// <paramref name="width"/> samples are the row.</param>
    public static void Upsample(ReadOnlySpan<byte> input, Span<byte> output, int width)
    {
        var n = input.Length;
        if (n <= 2)
        {
            for (var x = 0; x < width; x++) output[x] = input[x >> 1];
            return;
        }
        output[0] = input[0];
        output[1] = (byte)((input[0] * 3 + input[1] + 2) >> 2);
        for (var c = 1; c < n - 1; c++)
        {
            var here = input[c] * 3;
            output[2 * c] = (byte)((here + input[c - 1] + 1) >> 2);
            output[2 * c + 1] = (byte)((here + input[c + 1] + 2) >> 2);
        }
        output[2 * n - 2] = (byte)((input[n - 1] * 3 + input[n - 2] + 1) >> 2);
        output[2 * n - 1] = input[n - 1];
    }
}
