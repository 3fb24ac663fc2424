using Microsoft.CodeAnalysis;

namespace TraceProbe.Generators.Model;

/// <summary>A diagnostic as equatable data: the descriptor's id, its message arguments and where it points.</summary>
internal readonly record struct DiagnosticInfo(string Id, EquatableArray<string> MessageArgs, LocationInfo? Location)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] args) =>
        new(descriptor.Id, args.ToEquatableArray(), location);

    public Diagnostic ToDiagnostic()
    {
        var args = new object[MessageArgs.Count];
        for (var i = 0; i < args.Length; i++) args[i] = MessageArgs[i];
        return Diagnostic.Create(Diagnostics.ById(Id), Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None, args);
    }
}
