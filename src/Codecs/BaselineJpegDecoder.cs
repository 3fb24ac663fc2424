using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace TraceProbe.Images;

/// <summary>
/// A decoder for the common JPEG, hand-written because no library here exposes libjpeg-turbo's decoder without
/// libvips' pipeline around it (whose thread hand-offs and copies cost about as much as the decode), and ImageSharp's
/// decoder does not give libjpeg-turbo's pixels: baseline or extended sequential Huffman (SOF0/SOF1), 8 bits, one
/// interleaved scan, greyscale or YCbCr at 4:4:4, 4:2:2 or 4:2:0, optional restart intervals. It computes what
/// libjpeg-turbo's default decode computes: jdhuff.c's Huffman decoding, dequantisation, jidctint.c's ISLOW inverse DCT
/// (<see cref="IslowDctAvx2"/>), jdsample.c's fancy upsampling over whole planes (edges replicated as jdmainct.c's
/// context rows do) and jdcolor.c's YCbCr→RGB. Anything else, and any irregularity libjpeg would warn about (a bad code,
/// a coefficient past 63, a marker or the end of the file inside the data, a restart marker out of sequence, bytes
/// between the last block and EOI), makes <see cref="TryDecode"/> return false, and the caller decodes through libvips.
/// </summary>
internal static unsafe class BaselineJpegDecoder
{
    /// <summary>The decoder needs AVX2 (inverse DCT, colour conversion) and SSE4.1 (4:2:0 upsampling).</summary>
    public static bool IsSupported => JpegRoundTrip.IsFast;

    // jpeg_natural_order (jutils.c): the natural (row-major) index of each zigzag position.
    private static readonly byte[] NaturalOrder =
    [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
        28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
        54, 47, 55, 62, 63,
    ];

    /// <param name="beforePixels">Called with width, height and EXIF orientation once the header is read, before any
    /// pixel memory is taken; what it throws propagates. It may be called and the decode still return false (the
    /// caller's libvips path then calls it again with the same values).</param>
    public static bool TryDecode(byte[] file, Action<int, int, int>? beforePixels, out Image<Rgb24>? image)
    {
        image = null;
        if (!IsSupported) return false;
        var header = BaselineJpegHeader.TryRead(file);
        if (header is null || Layout.For(header) is not { } layout) return false;
        beforePixels?.Invoke(header.Width, header.Height, header.Orientation);

        var planes = new byte[header.Components.Length][];
        try
        {
            for (var c = 0; c < planes.Length; c++) planes[c] = ArrayPool<byte>.Shared.Rent(layout.Stride[c] * layout.Rows[c]);
            if (!DecodeScan(file, header, layout, planes)) return false;
            var output = new Image<Rgb24>(header.Width, header.Height);
            output.ProcessPixelRows(rows => JpegPlaneColour.Write(rows, header, layout, planes));
            image = output;
            return true;
        }
        finally
        {
            foreach (var plane in planes)
                if (plane is not null) ArrayPool<byte>.Shared.Return(plane);
        }
    }

    /// <summary>The MCU grid and each component's plane (whole blocks of whole MCUs, cropped on output).</summary>
    internal sealed class Layout
    {
        public int McusX, McusY;
        public int[] H = [], V = [], Stride = [], Rows = [];

        /// <summary>The grid for the sampling this decoder handles, null for any other: greyscale (one block per
        /// MCU, whatever its factors say), or Y at 1×1, 2×1 or 2×2 with Cb and Cr at 1×1.</summary>
        public static Layout? For(BaselineJpegHeader header)
        {
            var n = header.Components.Length;
            var layout = new Layout { H = new int[n], V = new int[n], Stride = new int[n], Rows = new int[n] };
            if (n == 1)
            {
                layout.H[0] = layout.V[0] = 1;
            }
            else
            {
                var y = header.Components[0];
                if ((y.H, y.V) is not ((1, 1) or (2, 1) or (2, 2))) return null;
                if (header.Components.Skip(1).Any(c => c.H != 1 || c.V != 1)) return null;
                layout.H[0] = y.H; layout.V[0] = y.V;
                layout.H[1] = layout.V[1] = layout.H[2] = layout.V[2] = 1;
            }
            int hMax = layout.H[0], vMax = layout.V[0];
            layout.McusX = (header.Width + 8 * hMax - 1) / (8 * hMax);
            layout.McusY = (header.Height + 8 * vMax - 1) / (8 * vMax);
            for (var c = 0; c < n; c++)
            {
                layout.Stride[c] = layout.McusX * 8 * layout.H[c];
                layout.Rows[c] = layout.McusY * 8 * layout.V[c];
                if ((long)layout.Stride[c] * layout.Rows[c] > Array.MaxLength) return null;
            }
            return layout;
        }
    }

    private struct ComponentState
    {
        public byte* Plane;
        public int Stride, H, V;
        public int* Quant;
        public JpegHuffmanTable Dc, Ac;
        public int Predictor;
    }

    private static bool DecodeScan(byte[] file, BaselineJpegHeader header, Layout layout, byte[][] planes)
    {
        var n = header.Components.Length;
        var handles = new GCHandle[2 * n];
        var components = new ComponentState[n];
        // Coefficients of one block, natural order, 32-byte aligned for the inverse DCT's loads.
        var blockStore = stackalloc int[64 + 8];
        var block = (int*)(((nint)blockStore + 31) & ~(nint)31);
        new Span<int>(block, 64).Clear();
        try
        {
            for (var c = 0; c < n; c++)
            {
                handles[2 * c] = GCHandle.Alloc(planes[c], GCHandleType.Pinned);
                handles[2 * c + 1] = GCHandle.Alloc(header.Quant[header.Components[c].QuantIndex]!, GCHandleType.Pinned);
                components[c] = new ComponentState
                {
                    Plane = (byte*)handles[2 * c].AddrOfPinnedObject(),
                    Stride = layout.Stride[c], H = layout.H[c], V = layout.V[c],
                    Quant = (int*)handles[2 * c + 1].AddrOfPinnedObject(),
                    Dc = header.Components[c].Dc!, Ac = header.Components[c].Ac!,
                };
            }
            fixed (byte* data = file, natural = NaturalOrder)
            {
                var reader = new JpegBitReader(data + header.ScanStart, data + file.Length);
                var interval = header.RestartInterval;
                int toGo = interval, restart = 0;
                var exact = true;
                for (var my = 0; my < layout.McusY; my++)
                {
                    for (var mx = 0; mx < layout.McusX; mx++)
                    {
                        if (interval > 0)
                        {
                            // jdhuff.c process_restart: the expected RSTn, then the DC predictions start again.
                            if (toGo == 0)
                            {
                                if (!reader.TakeMarker((byte)(0xD0 + restart))) return false;
                                restart = (restart + 1) & 7;
                                for (var c = 0; c < n; c++) components[c].Predictor = 0;
                                toGo = interval;
                            }
                            toGo--;
                        }
                        for (var c = 0; c < n; c++)
                        {
                            ref var component = ref components[c];
                            for (var v = 0; v < component.V; v++)
                            for (var h = 0; h < component.H; h++)
                            {
                                var coded = DecodeBlock(ref reader, ref component, block, natural);
                                if (coded < 0) return false;
                                var at = component.Plane + ((my * component.V + v) * 8) * component.Stride + (mx * component.H + h) * 8;
                                if (coded == 0) exact &= FlatBlock(block[0], at, component.Stride);
                                else exact &= IslowDctAvx2.InverseBlock(block, at, component.Stride);
                                Clear(block);
                            }
                        }
                    }
                    if (!exact || reader.Overrun) return false;
                }
                return reader.TakeMarker(0xD9);
            }
        }
        finally
        {
            foreach (var handle in handles)
                if (handle.IsAllocated) handle.Free();
        }
    }

    /// <summary>The inverse DCT of a block whose AC coefficients are all 0: both passes reduce to (dc·4·2¹³ + 2¹⁷) ≫ 18,
    /// that is (dc + 4) ≫ 3, in every sample (jidctint.c's own shortcut for zero columns gives the same). False where
    /// the full transform's range checks would fail (<see cref="IslowDctAvx2.InverseBlock(int*, byte*, int)"/>): a
    /// first-pass value dc·4 beyond ±16383, or a sample outside −512…511 (dc above 4091).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool FlatBlock(int dc, byte* p, int stride)
    {
        var sample = (ulong)(byte)(Math.Clamp((dc + 4) >> 3, -128, 127) + 128) * 0x0101010101010101UL;
        for (var row = 0; row < 8; row++) *(ulong*)(p + row * stride) = sample;
        return dc is >= -4095 and <= 4091;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Clear(int* block)
    {
        var zero = Vector256<int>.Zero;
        for (var i = 0; i < 64; i += 8) Vector256.StoreAligned(zero, block + i);
    }

    /// <summary>jdhuff.c decode_mcu for one block: the DC difference added to the component's prediction, then run
    /// and size codes for the AC coefficients, each dequantised into its natural place. 1, or 0 where no AC coefficient
    /// was coded; −1 on a code the table does not hold or a coefficient past 63 (libjpeg warns, or silently folds it
    /// into position 63).</summary>
    // Not inlined, and with no call inside: the bit buffer, the read position and the tables stay in registers.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DecodeBlock(ref JpegBitReader reader, ref ComponentState component, int* block, byte* natural)
    {
        var buffer = reader.Buffer;
        var bits = reader.Bits;
        var next = reader.Next;
        var end = reader.End;
        var padding = reader.Padding;
        if (bits < 32) JpegBitReader.Fill(ref buffer, ref bits, ref next, end, ref padding);

        var e = component.Dc.Look[(int)(buffer >> (64 - JpegHuffmanTable.LookBits))];
        if (e == 0 && (e = DecodeSlow(buffer, component.Dc)) < 0) return -1;
        buffer <<= e >> 8;
        bits -= e >> 8;
        var s = e & 15;
        if (s != 0)
        {
            component.Predictor += JpegHuffmanTable.Extend((int)(buffer >> (64 - s)), s);
            buffer <<= s;
            bits -= s;
        }
        var quant = component.Quant;
        block[0] = component.Predictor * quant[0];

        var ac = component.Ac;
        // 0 when the first AC code is the end of the block.
        var coded = 1;
        fixed (int* fast = ac.Fast, look = ac.Look)
        {
            for (var k = 1; k < 64; k++)
            {
                if (bits < 32) JpegBitReader.Fill(ref buffer, ref bits, ref next, end, ref padding);
                var index = (int)(buffer >> (64 - JpegHuffmanTable.LookBits));
                var f = fast[index];
                if (f != 0)
                {
                    buffer <<= f & 0xFF;
                    bits -= f & 0xFF;
                    k += (f >> 8) & 0xFF;
                    if (k > 63) return -1;
                    block[natural[k]] = (f >> 16) * quant[k];
                    continue;
                }
                e = look[index];
                if (e == 0 && (e = DecodeSlow(buffer, ac)) < 0) return -1;
                buffer <<= e >> 8;
                bits -= e >> 8;
                var run = (e >> 4) & 15;
                s = e & 15;
                if (s != 0)
                {
                    k += run;
                    if (k > 63) return -1;
                    block[natural[k]] = JpegHuffmanTable.Extend((int)(buffer >> (64 - s)), s) * quant[k];
                    buffer <<= s;
                    bits -= s;
                }
                else
                {
                    // Size 0: 16 zeros (ZRL) or, for any other run, the end of the block, as libjpeg reads it.
                    if (run != 15)
                    {
                        if (k == 1) coded = 0;
                        break;
                    }
                    k += 15;
                    if (k > 63) return -1;
                }
            }
        }
        reader.Buffer = buffer;
        reader.Bits = bits;
        reader.Next = next;
        reader.Padding = padding;
        return coded;
    }

    /// <summary>jdhuff.c jpeg_huff_decode for codes longer than the lookahead, from the buffer's top 16 bits:
    /// (length &lt;&lt; 8) | symbol as <see cref="JpegHuffmanTable.Look"/> holds it, or −1 where no code matches.</summary>
    private static int DecodeSlow(ulong buffer, JpegHuffmanTable table)
    {
        var bits = (int)(buffer >> 48);
        for (var l = JpegHuffmanTable.LookBits + 1; l <= 16; l++)
        {
            var code = bits >> (16 - l);
            if (code <= table.MaxCode[l]) return (l << 8) | table.Symbols[(code + table.ValOffset[l]) & 0xFF];
        }
        return -1;
    }
}
