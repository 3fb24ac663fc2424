using System.Globalization;

namespace TraceProbe.Generators.Parsing;

/// <summary>
/// The processing operation ids a task class may chain, in the paper's naming. This is the compile-time
/// check of the ids; the harness's processing catalog turns them into operations at run time.
/// </summary>
internal static class ProcessingOps
{
    public static bool IsKnown(string op)
    {
        switch (op)
        {
            case "RESIZE_HALF":
            case "RESIZE_DOUBLE":
            case "INTERPOLATION_BILINEAR":
            case "INTERPOLATION_BICUBIC":
            case "INTERPOLATION_LANCZOS":
            case "INTERPOLATION_BOX":
                return true;
        }
        if (op.StartsWith("JPEG", System.StringComparison.Ordinal))
        {
            var underscore = op.IndexOf('_');
            if (underscore < 0) return false;
            var subsampling = op.Substring(underscore + 1);
            return (subsampling == "420" || subsampling == "444")
                && IsIntegerIn(op.Substring(4, underscore - 4), 1, 100);
        }
        if (op.StartsWith("SHARPEN_", System.StringComparison.Ordinal))
        {
            var factor = op.Substring("SHARPEN_".Length);
            return IsPlainDecimal(factor)
                && double.TryParse(factor, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var f)
                && f > 0;
        }
        if (op.StartsWith("MASK_", System.StringComparison.Ordinal))
        {
            return IsIntegerIn(op.Substring("MASK_".Length), 1, 100);
        }
        return false;
    }

    private static bool IsIntegerIn(string digits, int min, int max)
    {
        if (digits.Length == 0 || digits.Length > 3) return false;
        foreach (var c in digits)
        {
            if (c < '0' || c > '9') return false;
        }
        var value = int.Parse(digits, CultureInfo.InvariantCulture);
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
