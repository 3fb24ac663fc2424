using System.Reflection;
using System.Runtime.InteropServices;
using TraceProbe.Common;

namespace TraceProbe.Results;

/// <summary>Versions and machine facts written into every summary, so a number can be traced to what made it.</summary>
public static class RunEnvironment
{
    /// <summary>The program, .NET, and the codec and inference libraries (<see cref="LibraryVersions"/>).</summary>
    public static IReadOnlyDictionary<string, string> Versions()
    {
        var versions = new SortedDictionary<string, string>(LibraryVersions.All.ToDictionary(), StringComparer.Ordinal)
        {
            ["traceprobe"] = VersionOf(typeof(RunEnvironment).Assembly),
            [".net"] = RuntimeInformation.FrameworkDescription,
        };
        return versions;
    }

    /// <summary>
    /// The commit the program was built from: the build appends it to the informational version ("1.0.0+&lt;sha&gt;"),
    /// which <see cref="Versions"/> shows without it. Null when the build had no git checkout.
    /// </summary>
    public static string? GitCommit { get; } =
        typeof(RunEnvironment).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion is { } v
        && v.IndexOf('+') is var plus and >= 0 && plus < v.Length - 1 ? v[(plus + 1)..] : null;

    public static IReadOnlyDictionary<string, string> Machine() => new SortedDictionary<string, string>
    {
        ["os"] = RuntimeInformation.OSDescription,
        ["architecture"] = RuntimeInformation.ProcessArchitecture.ToString(),
        ["logical_cores"] = Environment.ProcessorCount.ToString(),
        ["avx512f"] = System.Runtime.Intrinsics.X86.Avx512F.IsSupported.ToString(),
        ["avx2"] = System.Runtime.Intrinsics.X86.Avx2.IsSupported.ToString(),
    };

    private static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";
}
