using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace TraceProbe.Images;

/// <summary>
/// The entropy-coded bytes of a scan as a bit stream (jdhuff.c's bit buffer, 64 bits wide): stuffed bytes (FF 00)
/// become FF; at any other FF, or the end of the file, it stops and feeds zero bits, as libjpeg does, but counts them,
/// so that <see cref="BaselineJpegDecoder"/> can refuse a scan that needed them (libjpeg would warn and decode zeros).
/// The state is plain fields: the hot loop copies them into locals and fills through <see cref="Fill"/>, which makes
/// no call, so that they stay in registers.
/// </summary>
internal unsafe struct JpegBitReader
{
    /// <summary>The next byte to read; it stays on the FF of a marker (or at the end) once reached.</summary>
    internal byte* Next;
    internal readonly byte* End;

    /// <summary>The bits not yet used, left-aligned, and how many.</summary>
    internal ulong Buffer;
    internal int Bits;

    /// <summary>How many of <see cref="Bits"/> are zeros fed after the data stopped (the last ones).</summary>
    internal int Padding;

    public JpegBitReader(byte* start, byte* end)
    {
        Next = start;
        End = end;
    }

    /// <summary>Tops the buffer up to at least 57 bits: eight bytes at once where none of them is FF, else byte by byte
    /// (jdhuff.c jpeg_fill_bit_buffer).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Fill(ref ulong buffer, ref int bits, ref byte* next, byte* end, ref int padding)
    {
        if (next + 8 <= end)
        {
            var word = BinaryPrimitives.ReadUInt64BigEndian(new ReadOnlySpan<byte>(next, 8));
            // No byte equals FF: its complement has no zero byte.
            var inverse = ~word;
            if (((inverse - 0x0101010101010101UL) & ~inverse & 0x8080808080808080UL) == 0)
            {
                var take = (63 - bits) >> 3;
                var filled = bits + 8 * take;
                buffer |= (word >> bits) & ~(ulong.MaxValue >> filled);
                bits = filled;
                next += take;
                return;
            }
        }
        while (bits <= 56)
        {
            ulong b;
            if (next < end && *next != 0xFF)
            {
                b = *next++;
            }
            else if (next + 1 < end && next[1] == 0)
            {
                b = 0xFF;
                next += 2;
            }
            else
            {
                padding += 8;
                bits += 8;
                continue;
            }
            buffer |= b << (56 - bits);
            bits += 8;
        }
    }

    public void Refill() => Fill(ref Buffer, ref Bits, ref Next, End, ref Padding);

    /// <summary>Whether decoding has used bits that are not in the file (zeros fed at a marker or the end).</summary>
    public readonly bool Overrun => Bits < Padding;

    /// <summary>Whether the data ends here, at most the rest of a byte unused, directly followed by marker FF
    /// <paramref name="marker"/>; if so, moves past it and empties the buffer for what follows (a restart interval).</summary>
    public bool TakeMarker(byte marker)
    {
        Refill();
        if (Bits < Padding || Bits - Padding >= 8 || Next + 1 >= End || Next[0] != 0xFF || Next[1] != marker) return false;
        Next += 2;
        Buffer = 0;
        Bits = 0;
        Padding = 0;
        return true;
    }
}
