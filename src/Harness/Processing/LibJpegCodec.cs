using System.Reflection;
using BitMiracle.LibJpeg.Classic;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace TraceProbe.Processing;

/// <summary>JPEG through the managed IJG port, set up to behave as libjpeg-turbo does under Pillow.</summary>
internal static class LibJpegCodec
{
    /// <summary>
    /// Colour conversion, chroma downsampling, forward DCT and quantisation are done here as libjpeg-turbo
    /// (= IJG 6b) does them; the port, an IJG 9 derivative, only writes the quantised coefficients. Its own
    /// forward DCT (IJG 9's) rounds differently and changed a few coefficients per image, 54–62 dB vs Pillow;
    /// this way the file's entropy-coded data equals Pillow's.
    /// </summary>
    public static void Encode(Image<Rgb24> image, Stream output, int quality, ChromaSubsampling subsampling)
    {
        int w = image.Width, h = image.Height;
        var cinfo = new jpeg_compress_struct(new jpeg_error_mgr());
        cinfo.jpeg_stdio_dest(output);
        cinfo.Image_width = w;
        cinfo.Image_height = h;
        cinfo.Input_components = 3;
        cinfo.In_color_space = J_COLOR_SPACE.JCS_RGB;
        cinfo.jpeg_set_defaults();
        cinfo.jpeg_set_quality(quality, true);
        cinfo.Optimize_coding = false;
        int luma = subsampling == ChromaSubsampling.Ratio420 ? 2 : 1;
        cinfo.Component_info[0].H_samp_factor = luma;
        cinfo.Component_info[0].V_samp_factor = luma;
        for (int c = 1; c < 3; c++)
        {
            cinfo.Component_info[c].H_samp_factor = 1;
            cinfo.Component_info[c].V_samp_factor = 1;
        }

        // Pad to whole MCUs by repeating the last column and row (jcsample expand_right_edge, jcprepct).
        int mcu = 8 * luma, pw = (w + mcu - 1) / mcu * mcu, ph = (h + mcu - 1) / mcu * mcu;
        var rgb = new byte[w * h * 3];
        image.CopyPixelDataTo(rgb);
        var planes = new[] { new byte[pw * ph], new byte[pw * ph], new byte[pw * ph] };
        for (int y = 0; y < ph; y++)
        for (int x = 0; x < pw; x++)
        {
            int s = (Math.Min(y, h - 1) * w + Math.Min(x, w - 1)) * 3, o = y * pw + x;
            RgbToYcc(rgb[s], rgb[s + 1], rgb[s + 2], out planes[0][o], out planes[1][o], out planes[2][o]);
        }
        int cw = pw, ch = ph;
        if (luma == 2)
        {
            planes[1] = Downsample2x2(planes[1], pw, ph);
            planes[2] = Downsample2x2(planes[2], pw, ph);
            cw = pw / 2; ch = ph / 2;
        }

        var arrays = new jvirt_array<JBLOCK>[3];
        for (int c = 0; c < 3; c++)
        {
            int planeW = c == 0 ? pw : cw, planeH = c == 0 ? ph : ch;
            // Blocks covering the image; libjpeg itself adds the MCU's dummy blocks beyond them.
            int bw = c == 0 ? (w + 7) / 8 : (w + mcu - 1) / mcu, bh = c == 0 ? (h + 7) / 8 : (h + mcu - 1) / mcu;
            int rowsAlloc = (bh + luma - 1) / luma * luma;
            arrays[c] = jpeg_common_struct.CreateBlocksArray((planeW / 8 + luma - 1) / luma * luma, rowsAlloc);
            arrays[c].ErrorProcessor = cinfo;
            var quant = QuantTable(c == 0 ? StdLuminance : StdChrominance, quality);
            var rows = arrays[c].Access(0, rowsAlloc);
            var block = new int[64];
            for (int by = 0; by < bh; by++)
            for (int bx = 0; bx < bw; bx++)
            {
                for (int i = 0; i < 64; i++)
                    block[i] = planes[c][(by * 8 + i / 8) * planeW + bx * 8 + i % 8] - 128;
                ForwardDctIslow(block);
                for (int i = 0; i < 64; i++) rows[by][bx][i] = Quantise(block[i], quant[i] << 3);
            }
        }
        // Transcoding in IJG 9 expects the DCT size and JPEG dimensions that jpeg_copy_critical_parameters
        // would copy from a decoder; the port keeps these fields internal, so set them by reflection.
        foreach (var (name, value) in new[] { ("min_DCT_h_scaled_size", 8), ("min_DCT_v_scaled_size", 8), ("jpeg_width", w), ("jpeg_height", h) })
            typeof(jpeg_compress_struct).GetField(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!
                .SetValue(cinfo, value);
        cinfo.jpeg_write_coefficients(arrays);
        cinfo.jpeg_finish_compress();
    }

    // IJG standard tables (Annex K), natural order; scaled as jcparam.c jpeg_set_quality(q, TRUE) scales them,
    // the same tables the library writes into the file.
    private static readonly int[] StdLuminance =
    [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
        14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ];

    private static readonly int[] StdChrominance =
    [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
        47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    ];

    internal static int[] QuantTable(int[] basic, int quality)
    {
        int scale = quality < 50 ? 5000 / quality : 200 - quality * 2;
        return basic.Select(v => Math.Clamp((v * scale + 50) / 100, 1, 255)).ToArray();
    }

    // jccolor.c rgb_ycc_convert: 16-bit fixed point, Cb/Cr offset by 128 with the ONE_HALF−1 rounding.
    private static void RgbToYcc(int r, int g, int b, out byte y, out byte cb, out byte cr)
    {
        const int half = 1 << 15, offset = 128 << 16;
        static int Fix(double x) => (int)(x * 65536 + 0.5);
        y = (byte)((Fix(0.29900) * r + Fix(0.58700) * g + Fix(0.11400) * b + half) >> 16);
        cb = (byte)((-Fix(0.16874) * r - Fix(0.33126) * g + Fix(0.5) * b + offset + half - 1) >> 16);
        cr = (byte)((Fix(0.5) * r - Fix(0.41869) * g - Fix(0.08131) * b + offset + half - 1) >> 16);
    }

    // jcsample.c h2v2_downsample: 2×2 mean with the alternating 1, 2 bias.
    private static byte[] Downsample2x2(byte[] plane, int pw, int ph)
    {
        int ow = pw / 2, oh = ph / 2;
        var dst = new byte[ow * oh];
        for (int y = 0; y < oh; y++)
        {
            int bias = 1, r0 = 2 * y * pw, r1 = r0 + pw;
            for (int x = 0; x < ow; x++)
            {
                dst[y * ow + x] = (byte)((plane[r0 + 2 * x] + plane[r0 + 2 * x + 1] + plane[r1 + 2 * x] + plane[r1 + 2 * x + 1] + bias) >> 2);
                bias ^= 3;
            }
        }
        return dst;
    }

    // jcdctmgr.c quantize: divide by 8·q rounding half away from zero.
    private static short Quantise(int v, int divisor)
    {
        int a = Math.Abs(v) + (divisor >> 1);
        int q = a >= divisor ? a / divisor : 0;
        return (short)(v < 0 ? -q : q);
    }

    // jfdctint.c jpeg_fdct_islow (IJG 6b, as in libjpeg-turbo): output scaled up by 8.
    private static void ForwardDctIslow(int[] d)
    {
        const int constBits = 13, pass1Bits = 2;
        const int f0298 = 2446, f0390 = 3196, f0541 = 4433, f0765 = 6270, f0899 = 7373, f1175 = 9633,
            f1501 = 12299, f1847 = 15137, f1961 = 16069, f2053 = 16819, f2562 = 20995, f3072 = 25172;
        static int Descale(long x, int n) => (int)((x + (1L << (n - 1))) >> n);
        for (int pass = 0; pass < 2; pass++)
        {
            for (int k = 0; k < 8; k++)
            {
                // Pass 0 walks rows (step 1), pass 1 columns (step 8).
                int b = pass == 0 ? k * 8 : k, s = pass == 0 ? 1 : 8;
                long tmp0 = d[b] + d[b + 7 * s], tmp7 = d[b] - d[b + 7 * s];
                long tmp1 = d[b + s] + d[b + 6 * s], tmp6 = d[b + s] - d[b + 6 * s];
                long tmp2 = d[b + 2 * s] + d[b + 5 * s], tmp5 = d[b + 2 * s] - d[b + 5 * s];
                long tmp3 = d[b + 3 * s] + d[b + 4 * s], tmp4 = d[b + 3 * s] - d[b + 4 * s];
                long tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
                int shift = pass == 0 ? constBits - pass1Bits : constBits + pass1Bits;
                if (pass == 0)
                {
                    d[b] = (int)((tmp10 + tmp11) << pass1Bits);
                    d[b + 4 * s] = (int)((tmp10 - tmp11) << pass1Bits);
                }
                else
                {
                    d[b] = Descale(tmp10 + tmp11, pass1Bits);
                    d[b + 4 * s] = Descale(tmp10 - tmp11, pass1Bits);
                }
                long z1 = (tmp12 + tmp13) * f0541;
                d[b + 2 * s] = Descale(z1 + tmp13 * f0765, shift);
                d[b + 6 * s] = Descale(z1 + tmp12 * -f1847, shift);
                z1 = tmp4 + tmp7;
                long z2 = tmp5 + tmp6, z3 = tmp4 + tmp6, z4 = tmp5 + tmp7;
                long z5 = (z3 + z4) * f1175;
                tmp4 *= f0298; tmp5 *= f2053; tmp6 *= f3072; tmp7 *= f1501;
                z1 *= -f0899; z2 *= -f2562; z3 *= -f1961; z4 *= -f0390;
                z3 += z5; z4 += z5;
                d[b + 7 * s] = Descale(tmp4 + z1 + z3, shift);
                d[b + 5 * s] = Descale(tmp5 + z2 + z4, shift);
                d[b + 3 * s] = Descale(tmp6 + z2 + z3, shift);
                d[b + s] = Descale(tmp7 + z1 + z4, shift);
            }
        }
    }

    /// <summary>
    /// Reads the raw Y/Cb/Cr planes, then upsamples chroma with libjpeg-turbo's h2v2 "fancy" triangle filter
    /// and converts with its fixed-point tables, so 4:2:0 decodes as under Pillow.
    /// </summary>
    public static Image<Rgb24> Decode(Stream input)
    {
        var d = new jpeg_decompress_struct(new jpeg_error_mgr());
        d.jpeg_stdio_src(input);
        d.jpeg_read_header(true);
        if (d.Num_components != 3 || d.Jpeg_color_space != J_COLOR_SPACE.JCS_YCbCr)
            throw new NotSupportedException("Only YCbCr JPEGs written by JpegCompression are decoded here.");
        d.Raw_data_out = true;
        d.Do_fancy_upsampling = false; // keeps libjpeg 9 from DCT-scaling the chroma planes
        d.jpeg_start_decompress();
        int w = d.Image_width, h = d.Image_height;
        int maxV = d.Max_v_samp_factor;
        var comps = d.Comp_info;
        var planes = new byte[3][];
        var planeW = new int[3];
        var planeH = new int[3];
        var buffers = new byte[3][][];
        int maxH = 1;
        for (int c = 0; c < 3; c++) maxH = Math.Max(maxH, comps[c].H_samp_factor);
        for (int c = 0; c < 3; c++)
        {
            planeW[c] = (w * comps[c].H_samp_factor + maxH - 1) / maxH;
            planeH[c] = (h * comps[c].V_samp_factor + maxV - 1) / maxV;
            planes[c] = new byte[planeW[c] * planeH[c]];
            int bw = comps[c].Width_in_blocks * 8;
            buffers[c] = new byte[comps[c].V_samp_factor * 8][];
            for (int r = 0; r < buffers[c].Length; r++) buffers[c][r] = new byte[bw];
        }
        int imcuRow = 0;
        while (d.Output_scanline < d.Output_height)
        {
            d.jpeg_read_raw_data(buffers, maxV * 8);
            for (int c = 0; c < 3; c++)
            {
                int rowsPer = comps[c].V_samp_factor * 8;
                for (int r = 0; r < rowsPer; r++)
                {
                    int y = imcuRow * rowsPer + r;
                    if (y >= planeH[c]) break;
                    Buffer.BlockCopy(buffers[c][r], 0, planes[c], y * planeW[c], planeW[c]);
                }
            }
            imcuRow++;
        }
        d.jpeg_finish_decompress();

        var cb = Upsample(planes[1], planeW[1], planeH[1], w, h);
        var cr = Upsample(planes[2], planeW[2], planeH[2], w, h);
        return YccToRgb(planes[0], cb, cr, w, h);
    }

    private static byte[] Upsample(byte[] plane, int pw, int ph, int w, int h)
    {
        if (pw == w && ph == h) return plane;
        if (pw != (w + 1) / 2 || ph != (h + 1) / 2)
            throw new NotSupportedException("Only 4:4:4 and 4:2:0 chroma are supported.");
        var outW = pw * 2;
        var tmp = new byte[outW * ph * 2];
        for (int y = 0; y < ph; y++)
        {
            for (int v = 0; v < 2; v++)
            {
                // The nearer row weighs 3, the row above (upper output row) or below (lower) weighs 1.
                int near = y * pw, far = Math.Clamp(v == 0 ? y - 1 : y + 1, 0, ph - 1) * pw;
                int o = (2 * y + v) * outW;
                int Col(int x) => plane[near + Math.Clamp(x, 0, pw - 1)] * 3 + plane[far + Math.Clamp(x, 0, pw - 1)];
                for (int x = 0; x < pw; x++)
                {
                    int cur = Col(x);
                    // First/last columns repeat themselves (thiscolsum·4), like turbo's special cases.
                    int prev = x == 0 ? cur : Col(x - 1), next = x == pw - 1 ? cur : Col(x + 1);
                    tmp[o + 2 * x] = (byte)((cur * 3 + prev + 8) >> 4);
                    tmp[o + 2 * x + 1] = (byte)((cur * 3 + next + 7) >> 4);
                }
            }
        }
        if (outW == w && ph * 2 == h) return tmp;
        var dst = new byte[w * h];
        for (int y = 0; y < h; y++) Buffer.BlockCopy(tmp, y * outW, dst, y * w, w);
        return dst;
    }

    private static readonly int[] CrR = new int[256], CbB = new int[256], CrG = new int[256], CbG = new int[256];

    static LibJpegCodec()
    {
        // jdcolor.c build_ycc_rgb_table: 16-bit fixed point.
        static int Fix(double x) => (int)(x * 65536 + 0.5);
        for (int i = 0; i < 256; i++)
        {
            int x = i - 128;
            CrR[i] = (Fix(1.40200) * x + 32768) >> 16;
            CbB[i] = (Fix(1.77200) * x + 32768) >> 16;
            CrG[i] = -Fix(0.71414) * x;
            CbG[i] = -Fix(0.34414) * x + 32768;
        }
    }

    private static Image<Rgb24> YccToRgb(byte[] y, byte[] cb, byte[] cr, int w, int h)
    {
        var rgb = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++)
        {
            int l = y[i], b = cb[i], r = cr[i];
            rgb[3 * i] = Clamp(l + CrR[r]);
            rgb[3 * i + 1] = Clamp(l + ((CbG[b] + CrG[r]) >> 16));
            rgb[3 * i + 2] = Clamp(l + CbB[b]);
        }
        return Image.LoadPixelData<Rgb24>(rgb, w, h);
    }

    private static byte Clamp(int v) => v < 0 ? (byte)0 : v > 255 ? (byte)255 : (byte)v;
}
