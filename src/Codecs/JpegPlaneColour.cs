using System.Buffers;
using System.Runtime.InteropServices;
using SixLabors.ImageSharp.PixelFormats;

namespace TraceProbe.Images;

/// <summary>
/// <see cref="BaselineJpegDecoder"/>'s decoded planes to RGB rows, cropped to the image: greyscale replicated;
/// YCbCr through jdcolor.c's conversion after jdsample.c's fancy upsampling of the chroma (h2v1 for 4:2:2, h2v2 for
/// 4:2:0, <see cref="JpegPlanes.Upsample"/>). The chroma's own size is libjpeg's downsampled size, ⌈W·h/hmax⌉ by
/// ⌈H·v/vmax⌉: columns and rows past it are block padding, so the edges repeat its last column and row instead, as
/// jdsample.c and jdmainct.c's context rows do.
/// </summary>
internal static class JpegPlaneColour
{
    public static void Write(SixLabors.ImageSharp.PixelAccessor<Rgb24> rows, BaselineJpegHeader header, BaselineJpegDecoder.Layout layout, byte[][] planes)
    {
        int w = header.Width, h = header.Height;
        if (planes.Length == 1)
        {
            for (var y = 0; y < h; y++)
            {
                var grey = planes[0].AsSpan(y * layout.Stride[0], w);
                var rgb = rows.GetRowSpan(y);
                for (var x = 0; x < w; x++) rgb[x] = new Rgb24(grey[x], grey[x], grey[x]);
            }
            return;
        }

        int hMax = layout.H[0], vMax = layout.V[0], chromaStride = layout.Stride[1];
        var chromaWidth = (w + hMax - 1) / hMax;
        var chromaRows = (h + vMax - 1) / vMax;
        byte[] cbRow = ArrayPool<byte>.Shared.Rent(2 * chromaWidth + 1), crRow = ArrayPool<byte>.Shared.Rent(2 * chromaWidth + 1);
        try
        {
            for (var y = 0; y < h; y++)
            {
                ReadOnlySpan<byte> luma = planes[0].AsSpan(y * layout.Stride[0], w), cb, cr;
                if (hMax == 1)
                {
                    cb = planes[1].AsSpan(y * chromaStride, w);
                    cr = planes[2].AsSpan(y * chromaStride, w);
                }
                else if (vMax == 1)
                {
                    ChromaUpsamplingH2V1.Upsample(planes[1].AsSpan(y * chromaStride, chromaWidth), cbRow, w);
                    ChromaUpsamplingH2V1.Upsample(planes[2].AsSpan(y * chromaStride, chromaWidth), crRow, w);
                    cb = cbRow.AsSpan(0, w);
                    cr = crRow.AsSpan(0, w);
                }
                else
                {
                    var near = y >> 1;
                    var far = (y & 1) == 0 ? Math.Max(near - 1, 0) : Math.Min(near + 1, chromaRows - 1);
                    JpegPlanes.Upsample(planes[1].AsSpan(near * chromaStride, chromaWidth), planes[1].AsSpan(far * chromaStride, chromaWidth), cbRow, w);
                    JpegPlanes.Upsample(planes[2].AsSpan(near * chromaStride, chromaWidth), planes[2].AsSpan(far * chromaStride, chromaWidth), crRow, w);
                    cb = cbRow.AsSpan(0, w);
                    cr = crRow.AsSpan(0, w);
                }
                JpegPlanes.InverseRow(luma, cb, cr, MemoryMarshal.AsBytes(rows.GetRowSpan(y)));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(cbRow);
            ArrayPool<byte>.Shared.Return(crRow);
        }
    }
}
