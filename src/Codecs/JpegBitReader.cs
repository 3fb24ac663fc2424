using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace TraceProbe.Images;

/// <summary>
/// The entropy-coded bytes of a scan as a bit stream (jdhuff.c's bit buffer, 64 bits wide): stuffed bytes (FF 00)
/// become FF; at any other FF, or the end of the file, it stops and feeds zero bits, as libjpeg does, but counts them,
/// so that <see cref="BaselineJpegDecoder"/> can refuse a scan that needed them (libjpeg would warn and decode zeros).
/// </summary>
internal unsafe struct JpegBitReader
{
    private byte* _next;
    private readonly byte* _end;
    /// <summary>The bits not yet used, left-aligned, and how many; hot loops copy them into locals and back around
    /// <see cref="Refill"/>.</summary>
    internal ulong Buffer;
    internal int Bits;
    private int _padding;
    private bool _stopped;

    public JpegBitReader(byte* start, byte* end)
    {
        _next = start;
        _end = end;
    }

    /// <summary>At least 32 bits in the buffer: enough for a code (≤ 16 bits) and its value bits (≤ 15).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Ensure32()
    {
        if (Bits < 32) Refill();
    }

    /// <summary>Tops the buffer up to at least 57 bits: eight bytes at a time where none of them is FF.</summary>
    public void Refill()
    {
        if (!_stopped && _next + 8 <= _end)
        {
            var word = BinaryPrimitives.ReadUInt64BigEndian(new ReadOnlySpan<byte>(_next, 8));
            // No byte equals FF: its complement has no zero byte.
            var inverse = ~word;
            if (((inverse - 0x0101010101010101UL) & ~inverse & 0x8080808080808080UL) == 0)
            {
                var take = (63 - Bits) >> 3;
                var filled = Bits + 8 * take;
                Buffer |= (word >> Bits) & ~(ulong.MaxValue >> filled);
                Bits = filled;
                _next += take;
                return;
            }
        }
        while (Bits <= 56)
        {
            if (!_stopped)
            {
                if (_next >= _end) { _stopped = true; continue; }
                uint b = *_next;
                if (b == 0xFF)
                {
                    if (_next + 1 >= _end || _next[1] != 0) { _stopped = true; continue; }
                    _next += 2;
                }
                else
                {
                    _next++;
                }
                Buffer |= (ulong)b << (56 - Bits);
            }
            else
            {
                _padding += 8;
            }
            Bits += 8;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int Peek(int n) => (int)(Buffer >> (64 - n));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Skip(int n)
    {
        Buffer <<= n;
        Bits -= n;
    }

    /// <summary>s value bits (s ≥ 1), extended to a signed coefficient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Receive(int s)
    {
        var v = Peek(s);
        Skip(s);
        return JpegHuffmanTable.Extend(v, s);
    }

    /// <summary>Whether decoding has used bits that are not in the file (zeros fed at a marker or the end).</summary>
    public readonly bool Overrun => Bits < _padding;

    /// <summary>Whether the data ends here, at most the rest of a byte unused, directly followed by marker FF
    /// <paramref name="marker"/>; if so, moves past it and empties the buffer for what follows (a restart interval).</summary>
    public bool TakeMarker(byte marker)
    {
        Refill();
        if (!_stopped || Bits < _padding || Bits - _padding >= 8 || _next + 1 >= _end || _next[0] != 0xFF || _next[1] != marker) return false;
        _next += 2;
        Buffer = 0;
        Bits = 0;
        _padding = 0;
        _stopped = false;
        return true;
    }
}
