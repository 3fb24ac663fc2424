using TraceProbe.Common;
using TraceProbe.Results;

namespace TraceProbe.Experiments;

/// <summary>
/// Which experiment runs a task: one row per (kind, layout). The suite dispatches from here and nowhere else, so a
/// new kind of trace task is a row (and its experiment), not a branch in the suite.
/// </summary>
public static class ExperimentTable
{
    private static readonly ITraceExperiment Acquisition = new AcquisitionProbe();

    private static readonly Dictionary<(TraceKind, ProcessingLayout), ITraceExperiment> Rows = new()
    {
        [(TraceKind.Processing, ProcessingLayout.QuickCrops)] = new QuickProcessingProbe(),
        [(TraceKind.Processing, ProcessingLayout.PaperWholeImages)] = new PaperProcessingProbe(),
        // Acquisition probes read whole photos in either layout; paper mode changes their seed and mask (below).
        [(TraceKind.Acquisition, ProcessingLayout.QuickCrops)] = Acquisition,
        [(TraceKind.Acquisition, ProcessingLayout.PaperWholeImages)] = Acquisition,
    };

    public static ITraceExperiment For(TraceKind kind, ProcessingLayout layout) =>
        Rows.TryGetValue((kind, layout), out var experiment)
            ? experiment
            : throw new SettingsException($"No experiment runs {kind} tasks in the {layout.Token()} layout.");

    private sealed class QuickProcessingProbe : ITraceExperiment
    {
        public string Name => ExperimentNames.Processing;

        public async Task<ExperimentResult> RunAsync(ExperimentContext c)
        {
            var s = c.Inputs.Settings;
            var options = s.ProcessingOptions(c.Inputs.Cache) with
            {
                Erase = s.Erase.Contains(c.Task.Id, StringComparer.OrdinalIgnoreCase),
                SemanticLabels = c.Inputs.Dataset.SemanticLabels,
                Log = c.Log,
            };
            return ExperimentResult.Ran(await ProcessingProbeExperiment.RunAsync(c.Encoder, c.Task, c.Inputs.Dataset.Photos, options, c.Progress, c.Cancel));
        }
    }

    private sealed class PaperProcessingProbe : ITraceExperiment
    {
        public string Name => ExperimentNames.Processing;

        public async Task<ExperimentResult> RunAsync(ExperimentContext c)
        {
            var inputs = c.Inputs;
            var options = PaperMode.ProcessingOptions(inputs.Settings, inputs.Dataset, inputs.Cache) with
            {
                Log = c.Log,
                EmbeddingsPath = TraceSuite.EmbeddingsPath(inputs.Settings.Out, c.Encoder.Spec.Id, c.Task.Id),
                FileStamp = inputs.FileStamp,
            };
            return ExperimentResult.Ran(await PaperProcessingExperiment.RunAsync(c.Encoder, c.Task, inputs.Dataset.Photos, inputs.Sides!,
                inputs.Dataset.SemanticLabels, options, c.Progress, c.Cancel));
        }
    }

    private sealed class AcquisitionProbe : ITraceExperiment
    {
        public string Name => ExperimentNames.Acquisition;

        public Task<ExperimentResult> RunAsync(ExperimentContext c)
        {
            var s = c.Inputs.Settings;
            var dataset = c.Inputs.Dataset;
            var paper = s.LayoutOrDefault == ProcessingLayout.PaperWholeImages;
            var options = s.AcquisitionOptions(c.Inputs.Cache) with
            {
                GivenSplit = dataset.Splits?.GetValueOrDefault(c.Task.Attribute!),
                ImagesFolder = dataset.ImagesFolder,
                SourceOrientation = dataset.SourceOrientation,
                // The reference's acquisition probe runs once, seed 42, on its code's 0.95 mask.
                Seed = paper ? PaperMode.AcquisitionSeed + s.Seed : s.Seed,
                MaskRatio = s.MaskRatio ?? (paper ? PaperMode.MaskRatio : null),
            };
            return AcquisitionProbeExperiment.RunAsync(c.Encoder, c.Task, dataset.Photos, c.Inputs.AcquisitionLabels, options, c.Progress, c.Cancel);
        }
    }
}
