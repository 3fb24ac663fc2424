namespace TraceProbe.Acquisition;

/// <summary>
/// The acquisition labels of one photo, normalised: null means unknown (missing or absurd in the EXIF).
/// </summary>
public sealed record ExifLabels
{
    public required string Path { get; init; }
    /// <summary>Canonical manufacturer name, e.g. "Canon", "Nikon", "Apple".</summary>
    public string? Make { get; init; }
    /// <summary>Model without a repeated make prefix, e.g. "EOS 70D".</summary>
    public string? Model { get; init; }
    public bool? IsSmartphone { get; init; }
    /// <summary>"1/250 s", or "2 s" from one second up.</summary>
    public string? Exposure { get; init; }
    /// <summary>"f/2.8".</summary>
    public string? Aperture { get; init; }
    public int? Iso { get; init; }
    /// <summary>"50 mm".</summary>
    public string? FocalLength { get; init; }
    public bool? Flash { get; init; }
    public int? Year { get; init; }

    /// <summary>Make and model together ("Canon EOS 70D"), the class of the model task.</summary>
    public string? MakeModel => Make is null || Model is null ? null : $"{Make} {Model}";

    /// <summary>The label of an acquisition attribute as a class name, or null when unknown.</summary>
    public string? Attribute(string attribute) => attribute switch
    {
        "make" => Make,
        "model" => MakeModel,
        "smartphone_model" => IsSmartphone == true ? MakeModel : null,
        "is_smartphone" => IsSmartphone is null ? null : IsSmartphone.Value ? "smartphone" : "camera",
        "exposure" => Exposure,
        "aperture" => Aperture,
        "iso" => Iso?.ToString(),
        "focal_length" => FocalLength,
        "flash" => Flash is null ? null : Flash.Value ? "flash" : "no flash",
        "year" => Year?.ToString(),
        _ => throw new ArgumentException($"Unknown acquisition attribute '{attribute}'. Known: {string.Join(", ", Attributes)}.", nameof(attribute)),
    };

    public static readonly string[] Attributes =
        ["make", "model", "smartphone_model", "is_smartphone", "exposure", "aperture", "iso", "focal_length", "flash", "year"];
}
