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
