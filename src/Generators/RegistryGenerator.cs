using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using TraceProbe.Generators.Emit;
using TraceProbe.Generators.Model;
using TraceProbe.Generators.Parsing;

namespace TraceProbe.Generators;

/// <summary>Reads encoders.json and emits typed encoder adapters, experiment classes and registries.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class RegistryGenerator : IIncrementalGenerator
{
    public const string RegistryFileName = "encoders.json";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Only the file's path and text go on: an AdditionalText compares by reference, a string by value.
        var files = context.AdditionalTextsProvider
            .Where(static file => string.Equals(Path.GetFileName(file.Path), RegistryFileName, StringComparison.OrdinalIgnoreCase))
            .Select(static (file, ct) => new RegistryFile(file.Path, file.GetText(ct)?.ToString() ?? string.Empty))
            .WithTrackingName(TrackingNames.RegistryFiles);

        var parsed = files
            .Select(static (file, ct) => RegistryParser.Parse(file, ct))
            .WithTrackingName(TrackingNames.Parsed);

        var registry = parsed
            .Collect()
            .Select(static (all, _) => RegistryParser.Merge(all))
            .WithTrackingName(TrackingNames.Registry);

        var diagnostics = registry
            .SelectMany(static (r, _) => r.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, d) => spc.ReportDiagnostic(d.ToDiagnostic()));

        var encoders = registry
            .SelectMany(static (r, _) => r.Encoders)
            .WithTrackingName(TrackingNames.Encoders);
        context.RegisterSourceOutput(encoders, static (spc, e) => Add(spc, Emitter.Encoder(e)));

        var tasks = registry
            .SelectMany(static (r, _) => r.Tasks)
            .WithTrackingName(TrackingNames.Tasks);
        context.RegisterSourceOutput(tasks, static (spc, t) => Add(spc, Emitter.Experiment(t)));

        // The registries depend only on ids and type names, so editing an entry's details leaves them cached.
        var encoderIndex = registry
            .Select(static (r, _) => r.Encoders.Select(static e => new RegistryEntry(e.Id, e.TypeName)).ToEquatableArray())
            .WithTrackingName(TrackingNames.EncoderIndex);
        context.RegisterSourceOutput(encoderIndex, static (spc, entries) => Add(spc, Emitter.EncoderRegistry(entries)));

        // The registry's content hash, for the run manifest and the cache of resumed runs: it changes with any edit.
        var registryHash = files
            .Select(static (file, _) => file.Text)
            .Collect()
            .Select(static (texts, _) => RegistryHash.Of(texts))
            .WithTrackingName(TrackingNames.RegistryHash);
        context.RegisterSourceOutput(registryHash, static (spc, hash) => Add(spc, Emitter.RegistryHash(hash)));

        var taskIndex = registry
            .Select(static (r, _) => r.Tasks.Select(static t => new RegistryEntry(t.Id, t.TypeName + "Experiment")).ToEquatableArray())
            .WithTrackingName(TrackingNames.TaskIndex);
        context.RegisterSourceOutput(taskIndex, static (spc, entries) => Add(spc, Emitter.ExperimentRegistry(entries)));
    }

    private static void Add(SourceProductionContext spc, (string HintName, string Source) file) =>
        spc.AddSource(file.HintName, file.Source);
}
