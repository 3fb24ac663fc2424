namespace TraceProbe.Images;

/// <summary>
/// A padded component plane, block by block: level shift, forward DCT, quantise, dequantise, inverse DCT, written back
/// in place; what a JPEG file's encoder and decoder do to it, without the file.
/// </summary>
internal static class BlockRequantiser
{
    public static void Run(byte[] plane, int stride, int rows, JpegQuantisation q)
    {
        if (IslowDctAvx2.IsSupported)
        {
            IslowDctAvx2.Run(plane, stride, rows, q);
            return;
        }
        Span<int> block = stackalloc int[64];
        for (var by = 0; by < rows; by += 8)
        for (var bx = 0; bx < stride; bx += 8)
        {
            var origin = by * stride + bx;
            RunScalar(plane.AsSpan(origin), stride, q, block);
        }
    }

    /// <summary>One block the way libjpeg-turbo's C code computes it.</summary>
    public static void RunScalar(Span<byte> plane, int stride, JpegQuantisation q, Span<int> block)
    {
        for (var y = 0; y < 8; y++)
        for (var x = 0; x < 8; x++)
            block[y * 8 + x] = plane[y * stride + x] - 128;
        IslowDct.Forward(block);
        for (var i = 0; i < 64; i++) block[i] = q.Quantise(i, block[i]) * q.Step[i];
        IslowDct.Inverse(block, plane, stride);
    }
}
