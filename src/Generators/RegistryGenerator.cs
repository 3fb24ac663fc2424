using Microsoft.CodeAnalysis;

namespace TraceProbe.Generators;

/// <summary>Reads encoders.json and emits typed encoder adapters, experiment classes and registries.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class RegistryGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
