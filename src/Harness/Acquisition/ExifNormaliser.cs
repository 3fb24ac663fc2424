using System.Globalization;
using System.Text.RegularExpressions;

namespace TraceProbe.Acquisition;

/// <summary>
/// Turns raw EXIF values into class names: one spelling per manufacturer, smartphone or not, exposure as
/// 1/x s, aperture as f/x.x, focal length in mm. Absurd values become null (unknown), never an error.
/// </summary>
public static partial class ExifNormaliser
{
    /// <summary>Lower-cased EXIF Make (or its first word) → canonical name. Makers write their name many ways.</summary>
    private static readonly Dictionary<string, string> Makes = new(StringComparer.Ordinal)
    {
        ["canon"] = "Canon",
        ["nikon"] = "Nikon", ["nikon corporation"] = "Nikon",
        ["sony"] = "Sony", ["sony ericsson"] = "Sony Ericsson",
        ["olympus"] = "Olympus", ["olympus imaging corp."] = "Olympus", ["olympus corporation"] = "Olympus", ["olympus optical co.,ltd"] = "Olympus", ["om digital solutions"] = "OM System",
        ["fujifilm"] = "Fujifilm", ["fuji photo film co., ltd."] = "Fujifilm", ["fuji"] = "Fujifilm",
        ["panasonic"] = "Panasonic", ["matsushita"] = "Panasonic",
        ["pentax"] = "Pentax", ["pentax corporation"] = "Pentax", ["asahi optical co.,ltd"] = "Pentax", ["ricoh imaging company, ltd."] = "Ricoh", ["ricoh"] = "Ricoh",
        ["konica minolta"] = "Konica Minolta", ["konica minolta camera, inc."] = "Konica Minolta", ["minolta co., ltd."] = "Minolta", ["minolta"] = "Minolta",
        ["samsung"] = "Samsung", ["samsung techwin"] = "Samsung",
        ["apple"] = "Apple", ["google"] = "Google", ["huawei"] = "Huawei", ["xiaomi"] = "Xiaomi", ["oneplus"] = "OnePlus",
        ["lg electronics"] = "LG", ["lge"] = "LG", ["lg"] = "LG", ["motorola"] = "Motorola", ["htc"] = "HTC", ["oppo"] = "Oppo", ["vivo"] = "Vivo",
        ["nokia"] = "Nokia", ["hmd global"] = "Nokia", ["blackberry"] = "BlackBerry", ["research in motion"] = "BlackBerry",
        ["leica"] = "Leica", ["leica camera ag"] = "Leica", ["hasselblad"] = "Hasselblad", ["sigma"] = "Sigma", ["kodak"] = "Kodak", ["eastman kodak company"] = "Kodak",
        ["casio"] = "Casio", ["casio computer co.,ltd."] = "Casio", ["gopro"] = "GoPro", ["dji"] = "DJI", ["phase one"] = "Phase One",
    };

    /// <summary>Makers whose every camera is a phone.</summary>
    private static readonly HashSet<string> PhoneMakers = new(StringComparer.Ordinal)
    {
        "Apple", "Google", "Huawei", "Xiaomi", "OnePlus", "Oppo", "Vivo", "HTC", "Motorola", "BlackBerry", "Sony Ericsson",
    };

    /// <summary>Phone model patterns of makers that also build cameras (documented in docs/acquisition.md).</summary>
    [GeneratedRegex(@"^(SM-|GT-I|GT-S|GT-N|SGH-|SCH-|SHV-|Galaxy)|^(Nokia )?(N\d{1,2}|E\d{2}|Lumia|TA-\d)|^(LG-|LM-|Nexus)|^(Xperia|C\d{4}|D\d{4}|E\d{4}|F\d{4}|G\d{4}|H\d{4}|SO-|SOV)", RegexOptions.IgnoreCase)]
    private static partial Regex PhoneModel();

    public static string? Make(string? raw)
    {
        var make = Clean(raw);
        if (make is null) return null;
        var key = make.ToLowerInvariant();
        if (Makes.TryGetValue(key, out var canonical)) return canonical;
        var first = key.Split(' ', ',')[0];
        if (Makes.TryGetValue(first, out canonical)) return canonical;
        // Unknown makers keep their own name, in title case so that "ACME" and "Acme" are one class.
        return CultureInfo.InvariantCulture.TextInfo.ToTitleCase(key);
    }

    public static string? Model(string? raw, string? make)
    {
        var model = Clean(raw);
        if (model is null) return null;
        // "Canon EOS 70D" under make "Canon" → "EOS 70D"; "NIKON D750" under "Nikon" → "D750" (the make's first word).
        foreach (var prefix in new[] { make, make?.Split(' ')[0] }.OfType<string>().Distinct())
            if (model.StartsWith(prefix + " ", StringComparison.OrdinalIgnoreCase))
            {
                model = model[(prefix.Length + 1)..].Trim();
                break;
            }
        return model.Length == 0 ? null : model;
    }

    public static bool? IsSmartphone(string? make, string? model)
    {
        if (make is null) return null;
        if (PhoneMakers.Contains(make)) return true;
        if (model is null) return make is "Samsung" or "Nokia" or "LG" ? null : false;
        return PhoneModel().IsMatch(model) && make is "Samsung" or "Nokia" or "LG" or "Sony";
    }

    /// <summary>Seconds → "1/x s" (x rounded) below about a second, "x s" above.</summary>
    public static string? Exposure(double? seconds)
    {
        if (seconds is not { } s || !double.IsFinite(s) || s <= 0 || s > 3600) return null;
        var denominator = Math.Round(1 / s);
        // From about a second up (1/x would read 1/1), cameras and photographers write seconds.
        if (denominator <= 1) return $"{Math.Round(s, 1).ToString("0.#", CultureInfo.InvariantCulture)} s";
        return $"1/{denominator.ToString("0", CultureInfo.InvariantCulture)} s";
    }

    public static string? Aperture(double? fNumber) =>
        fNumber is { } f && double.IsFinite(f) && f >= 0.5 && f <= 128 ? $"f/{f.ToString("0.0", CultureInfo.InvariantCulture)}" : null;

    public static string? FocalLength(double? mm) =>
        mm is { } f && double.IsFinite(f) && f > 0 && f <= 5000 ? $"{Math.Round(f).ToString("0", CultureInfo.InvariantCulture)} mm" : null;

    public static int? Iso(long? iso) => iso is { } i && i > 0 && i <= 1_000_000 ? (int)i : null;

    /// <summary>EXIF Flash: bit 0 is "flash fired".</summary>
    public static bool? Flash(int? value) => value is { } v && v >= 0 ? (v & 1) == 1 : null;

    public static int? Year(DateTime? taken) => taken is { } t && t.Year is >= 1990 and <= 2100 ? t.Year : null;

    /// <summary>Trimmed, NULs and repeated spaces removed; empty and placeholder values are unknown.</summary>
    private static string? Clean(string? raw)
    {
        if (raw is null) return null;
        var s = Spaces().Replace(raw.Replace('\0', ' '), " ").Trim();
        return s.Length == 0 || s.Equals("unknown", StringComparison.OrdinalIgnoreCase) ? null : s;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
