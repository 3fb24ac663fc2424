using System.Globalization;

namespace TraceProbe.Common;

/// <summary>What a processing-operation id names, before any pixels are touched.</summary>
public enum OpKind
{
    Jpeg,
    Sharpen,
    Mask,
    ResizeHalf,
    ResizeDouble,
    InterpolationBilinear,
    InterpolationBicubic,
    InterpolationLanczos,
    InterpolationBox,
}

/// <summary>A parsed operation id: its kind and its one parameter (JPEG quality and subsampling, sharpening factor, mask percent).</summary>
public readonly record struct OpId(OpKind Kind, int Quality = 0, bool Subsampling420 = false, double Factor = 0, int Percent = 0);

/// <summary>
/// The grammar of processing-operation ids (JPEG75_420, SHARPEN_2, MASK_95, …), in the paper's naming. This one file
/// is compiled into both the source generator (which fails the build at the id's line in encoders.json) and the
/// harness (which turns the id into an operation), so that the two can never accept different ids.
/// </summary>
public static class OpGrammar
{
    /// <summary>JPEG quality, as libjpeg and Pillow accept it.</summary>
    public const int MinQuality = 1, MaxQuality = 100;

    /// <summary>MASK_&lt;percent&gt;: a masked area of 0% or 100% is no mask or no image.</summary>
    public const int MinMaskPercent = 1, MaxMaskPercent = 99;

    /// <summary>The grammar in words, for error messages and the schema's documentation.</summary>
    public const string Description =
        "JPEG<quality 1-100>_<420|444>, SHARPEN_<factor>, RESIZE_HALF, RESIZE_DOUBLE, " +
        "INTERPOLATION_<BILINEAR|BICUBIC|LANCZOS|BOX> or MASK_<percent 1-99>";

    public static bool TryParse(string? id, out OpId op)
    {
        op = default;
        if (id is null) return false;
        switch (id)
        {
            case "RESIZE_HALF": op = new OpId(OpKind.ResizeHalf); return true;
            case "RESIZE_DOUBLE": op = new OpId(OpKind.ResizeDouble); return true;
            case "INTERPOLATION_BILINEAR": op = new OpId(OpKind.InterpolationBilinear); return true;
            case "INTERPOLATION_BICUBIC": op = new OpId(OpKind.InterpolationBicubic); return true;
            case "INTERPOLATION_LANCZOS": op = new OpId(OpKind.InterpolationLanczos); return true;
            case "INTERPOLATION_BOX": op = new OpId(OpKind.InterpolationBox); return true;
        }
        if (id.StartsWith("JPEG", System.StringComparison.Ordinal))
        {
            var underscore = id.IndexOf('_');
            if (underscore < 0) return false;
            var subsampling = id.Substring(underscore + 1);
            if (subsampling != "420" && subsampling != "444") return false;
            if (!TryInteger(id.Substring(4, underscore - 4), MinQuality, MaxQuality, out var quality)) return false;
            op = new OpId(OpKind.Jpeg, Quality: quality, Subsampling420: subsampling == "420");
            return true;
        }
        if (id.StartsWith("SHARPEN_", System.StringComparison.Ordinal))
        {
            var factor = id.Substring("SHARPEN_".Length);
            if (!IsPlainDecimal(factor)) return false;
            var f = double.Parse(factor, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            if (!(f > 0)) return false;
            op = new OpId(OpKind.Sharpen, Factor: f);
            return true;
        }
        if (id.StartsWith("MASK_", System.StringComparison.Ordinal)
            && TryInteger(id.Substring("MASK_".Length), MinMaskPercent, MaxMaskPercent, out var percent))
        {
            op = new OpId(OpKind.Mask, Percent: percent);
            return true;
        }
        return false;
    }

    public static bool IsKnown(string? id) => TryParse(id, out _);

    private static bool TryInteger(string digits, int min, int max, out int value)
    {
        value = 0;
        if (digits.Length == 0 || digits.Length > 3) return false;
        foreach (var c in digits)
            if (c < '0' || c > '9') return false;
        value = int.Parse(digits, CultureInfo.InvariantCulture);
        return value >= min && value <= max;
    }

    private static bool IsPlainDecimal(string text)
    {
        if (text.Length == 0 || text[0] == '.' || text[text.Length - 1] == '.') return false;
        var dots = 0;
        foreach (var c in text)
        {
            if (c == '.') dots++;
            else if (c < '0' || c > '9') return false;
        }
        return dots <= 1;
    }
}

/// <summary>The centre mask's area ratio r, as encoders.json's <c>mask_ratio</c> and <c>--mask-ratio</c> accept it.</summary>
public static class CentreMaskRatio
{
    /// <summary>A mask covers a share in (0, 1) of the image: 0 would be no mask, 1 no image.</summary>
    public const string Interval = "(0, 1)";

    /// <summary>A ratio a mask can have.</summary>
    public static bool IsMask(double r) => r > 0 && r < 1;

    /// <summary>A ratio a run may ask for: a mask, or 0 for the unmasked variant.</summary>
    public static bool IsAllowed(double r) => r == 0 || IsMask(r);
}
