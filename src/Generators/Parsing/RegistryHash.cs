using System.Collections.Immutable;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace TraceProbe.Generators.Parsing;

/// <summary>SHA-256 of the registry's text (line endings as \n, so that a Windows checkout hashes alike), lowercase hex.</summary>
internal static class RegistryHash
{
    public static string Of(ImmutableArray<string> texts)
    {
        var joined = string.Join("\n\0", texts.Select(static t => t.Replace("\r\n", "\n")).OrderBy(static t => t, System.StringComparer.Ordinal));
        using var sha = SHA256.Create();
        var digest = sha.ComputeHash(Encoding.UTF8.GetBytes(joined));
        var hex = new StringBuilder(digest.Length * 2);
        foreach (var b in digest) hex.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        return hex.ToString();
    }
}
