namespace TraceProbe.Images;

/// <summary>
/// libjpeg-turbo's RGB↔YCbCr conversions (jccolor.c and jdcolor.c): 16-bit fixed point, the encoder's Cb/Cr rounded
/// with 0.5 − ε, the decoder's through its tables. Hand-written for <see cref="JpegRoundTrip"/>, which skips the file.
/// </summary>
internal static class JpegColour
{
    private const int ScaleBits = 16, OneHalf = 1 << (ScaleBits - 1), CbCrOffset = 128 << ScaleBits;

    private static int Fix(double x) => (int)(x * (1 << ScaleBits) + 0.5);

    // Encoder coefficients (jccolor.c rgb_ycc_start).
    public static readonly int RY = Fix(0.29900), GY = Fix(0.58700), BY = Fix(0.11400);
    public static readonly int RCb = -Fix(0.16874), GCb = -Fix(0.33126), BCb = Fix(0.5);
    public static readonly int GCr = -Fix(0.41869), BCr = -Fix(0.08131);
    public const int YRounding = OneHalf, CbCrRounding = CbCrOffset + OneHalf - 1;

    // Decoder coefficients and tables (jdcolor.c build_ycc_rgb_table), the tables indexed by the Cb or Cr sample.
    public static readonly int FixCrR = Fix(1.40200), FixCbB = Fix(1.77200), FixCrG = Fix(0.71414), FixCbG = Fix(0.34414);
    public static readonly int[] CrToR = new int[256], CbToB = new int[256], CrToG = new int[256], CbToG = new int[256];

    static JpegColour()
    {
        for (var i = 0; i < 256; i++)
        {
            var x = i - 128;
            CrToR[i] = (FixCrR * x + OneHalf) >> ScaleBits;
            CbToB[i] = (FixCbB * x + OneHalf) >> ScaleBits;
            CrToG[i] = -FixCrG * x;
            CbToG[i] = -FixCbG * x + OneHalf;
        }
    }

    public static byte Y(int r, int g, int b) => (byte)((RY * r + GY * g + BY * b + YRounding) >> ScaleBits);

    public static byte Cb(int r, int g, int b) => (byte)((RCb * r + GCb * g + BCb * b + CbCrRounding) >> ScaleBits);

    public static byte Cr(int r, int g, int b) => (byte)((BCb * r + GCr * g + BCr * b + CbCrRounding) >> ScaleBits);

    public static byte R(int y, int cr) => Clamp(y + CrToR[cr]);

    public static byte G(int y, int cb, int cr) => Clamp(y + ((CbToG[cb] + CrToG[cr]) >> ScaleBits));

    public static byte B(int y, int cb) => Clamp(y + CbToB[cb]);

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);
}
