namespace TraceProbe.Images;

/// <summary>
/// One DHT table and the decoding tables derived from it as jdhuff.c's <c>jpeg_make_d_derived_tbl</c> derives them
/// (canonical codes, <c>maxcode</c> and <c>valoffset</c> per length, a lookahead table), plus a table that, for AC codes
/// short enough, also holds the extended coefficient value so that one lookup decodes run, size and value. Hand-written
/// for <see cref="BaselineJpegDecoder"/>; an invalid table makes <see cref="Derive"/> refuse, as libjpeg's
/// <c>JERR_BAD_HUFF_TABLE</c> does.
/// </summary>
internal sealed class JpegHuffmanTable
{
    public const int LookBits = 11;

    /// <summary>BITS: how many codes of each length 1–16 (index 0 unused).</summary>
    public readonly byte[] Counts = new byte[17];

    /// <summary>HUFFVAL, in code order.</summary>
    public readonly byte[] Symbols = new byte[256];

    /// <summary>Largest code of each length, −1 where none; index 17 is a sentinel no code exceeds.</summary>
    public readonly int[] MaxCode = new int[18];

    /// <summary>Symbol index minus code, for each length.</summary>
    public readonly int[] ValOffset = new int[17];

    /// <summary>For the next <see cref="LookBits"/> bits: (code length &lt;&lt; 8) | symbol, 0 when the code is longer.</summary>
    public readonly int[] Look = new int[1 << LookBits];

    /// <summary>AC only: (value &lt;&lt; 16) | (run &lt;&lt; 8) | (code length + size) when both fit in the lookahead and
    /// the size is not 0; 0 otherwise.</summary>
    public readonly int[] Fast = new int[1 << LookBits];

    /// <summary>Builds the derived tables; false for a table libjpeg rejects (more than 256 codes, an over-full code
    /// space, or a DC symbol above 15).</summary>
    public bool Derive(bool isDc)
    {
        Span<int> size = stackalloc int[257];
        Span<int> code = stackalloc int[257];
        var p = 0;
        for (var l = 1; l <= 16; l++)
        {
            for (var i = 0; i < Counts[l]; i++)
            {
                if (p >= 256) return false;
                size[p++] = l;
            }
        }
        var count = p;
        size[count] = 0;

        // Canonical codes (jdhuff.c: generate the codes, then check that none runs past its length).
        var c = 0;
        var si = size[0];
        p = 0;
        while (size[p] != 0)
        {
            while (size[p] == si) code[p++] = c++;
            if (c >= 1 << si) return false;
            c <<= 1;
            si++;
        }

        p = 0;
        for (var l = 1; l <= 16; l++)
        {
            if (Counts[l] != 0)
            {
                ValOffset[l] = p - code[p];
                p += Counts[l];
                MaxCode[l] = code[p - 1];
            }
            else
            {
                MaxCode[l] = -1;
            }
        }
        MaxCode[17] = int.MaxValue;

        if (isDc)
        {
            for (var i = 0; i < count; i++)
                if (Symbols[i] > 15) return false;
        }

        Array.Clear(Look);
        Array.Clear(Fast);
        for (p = 0; p < count && size[p] <= LookBits; p++)
        {
            int l = size[p], symbol = Symbols[p];
            var spare = LookBits - l;
            var first = code[p] << spare;
            for (var i = 0; i < 1 << spare; i++)
            {
                Look[first + i] = (l << 8) | symbol;
                int run = symbol >> 4, s = symbol & 15;
                if (isDc || s == 0 || l + s > LookBits) continue;
                // The s bits after the code, then HUFF_EXTEND.
                var bits = (i >> (spare - s)) & ((1 << s) - 1);
                Fast[first + i] = (Extend(bits, s) << 16) | (run << 8) | (l + s);
            }
        }
        return true;
    }

    /// <summary>jdhuff.c HUFF_EXTEND: an s-bit value below 2^(s−1) is negative.</summary>
    public static int Extend(int bits, int s) => bits < 1 << (s - 1) ? bits - (1 << s) + 1 : bits;
}
