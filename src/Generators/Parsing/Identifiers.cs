using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace TraceProbe.Generators.Parsing;

/// <summary>Turns registry ids ("openai-vit-b-16@336", "f/2.8") into C# names.</summary>
internal static class Identifiers
{
    /// <summary>
    /// PascalCase from the id's letter/digit runs: "resnet18" → "Resnet18", "ViT-B-16" → "ViTB16".
    /// Ids that start with a digit get a leading underscore. Returns "" when the id has no letter or digit.
    /// </summary>
    public static string ToPascal(string id)
    {
        var sb = new StringBuilder(id.Length);
        var startOfWord = true;
        foreach (var c in id)
        {
            if (!char.IsLetterOrDigit(c))
            {
                startOfWord = true;
                continue;
            }
            sb.Append(startOfWord ? char.ToUpperInvariant(c) : c);
            startOfWord = false;
        }
        if (sb.Length > 0 && char.IsDigit(sb[0])) sb.Insert(0, '_');
        return sb.ToString();
    }

    /// <summary>
    /// An enum member name for a class id: the id itself when it is a valid identifier (JPEG75_420),
    /// otherwise every other character replaced by '_' ("f/2.8" → "f_2_8"); keywords get '@'.
    /// </summary>
    public static string ToMember(string id)
    {
        string name;
        if (SyntaxFacts.IsValidIdentifier(id))
        {
            name = id;
        }
        else
        {
            var sb = new StringBuilder(id.Length + 1);
            foreach (var c in id) sb.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
            if (sb.Length == 0 || char.IsDigit(sb[0])) sb.Insert(0, '_');
            name = sb.ToString();
        }
        return SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
    }
}
