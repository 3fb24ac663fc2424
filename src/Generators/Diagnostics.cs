using Microsoft.CodeAnalysis;
using TraceProbe.Common;

namespace TraceProbe.Generators;

/// <summary>The generator's diagnostics. Every id is listed in AnalyzerReleases.Shipped.md.</summary>
internal static class Diagnostics
{
    private const string Category = "TraceProbe.Registry";

    public static readonly DiagnosticDescriptor InvalidJson = new(
        "TP0001", "encoders.json is not valid JSON",
        "encoders.json is not valid JSON: {0}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MissingField = new(
        "TP0002", "Required field missing",
        "{0} is missing the required field '{1}'",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownValue = new(
        "TP0003", "Unknown value",
        "{0}: '{1}' is not a known value for '{2}'; expected one of: {3}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor WrongLength = new(
        "TP0004", "Array of the wrong length",
        "{0}: '{1}' must have {2} elements but has {3}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateId = new(
        "TP0005", "Duplicate id",
        "{0} id '{1}' is already used (ids are compared ignoring case)",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownOp = new(
        "TP0006", "Unknown processing operation",
        "{0}: '{1}' is not a processing operation; expected " + OpGrammar.Description,
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor WrongType = new(
        "TP0007", "Value of the wrong JSON type",
        "{0}: '{1}' must be {2} but is {3}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor Normalisation = new(
        "TP0008", "Pixel normalisation not given exactly once",
        "{0}: preprocessing must give either both 'mean' and 'std', or 'mean_image' ({1})",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NameCollision = new(
        "TP0009", "Generated names collide",
        "{0} '{1}' becomes the generated name '{2}', which '{3}' already has; choose an id that differs in more than punctuation or case",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidValue = new(
        "TP0010", "Invalid value",
        "{0}: '{1}' {2}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownField = new(
        "TP0011", "Unknown field",
        "{0}: field '{1}' is not part of the schema and is ignored (known: {2}); prefix a note's key with '_' to keep it",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedValue = new(
        "TP0012", "Value the runtime cannot honour",
        "{0}: '{1}' for '{2}' is not supported: {3}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static readonly DiagnosticDescriptor[] All =
    {
        InvalidJson, MissingField, UnknownValue, WrongLength, DuplicateId, UnknownOp,
        WrongType, Normalisation, NameCollision, InvalidValue, UnknownField, UnsupportedValue,
    };

    public static DiagnosticDescriptor ById(string id)
    {
        foreach (var descriptor in All)
        {
            if (descriptor.Id == id) return descriptor;
        }
        throw new System.ArgumentException("Unknown diagnostic id " + id, nameof(id));
    }
}
