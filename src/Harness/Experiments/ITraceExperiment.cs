using TraceProbe.Acquisition;
using TraceProbe.Common;
using TraceProbe.Datasets;
using TraceProbe.Embeddings;
using TraceProbe.Encoders;

namespace TraceProbe.Experiments;

/// <summary>What the suite found before any task ran, shared by every (encoder, task) experiment of the run.</summary>
/// <param name="Sides">Paper layout: each photo's side (train, val, unused); null in the quick layout.</param>
/// <param name="AcquisitionLabels">EXIF labels per photo (from the dataset's table or the photos), for acquisition tasks.</param>
/// <param name="FileStamp">Metadata every embeddings file of the run carries: its photos and registry (<see cref="Provenance.FileStamp"/>).</param>
public sealed record SuiteInputs(JobSettings Settings, Dataset Dataset, ProcessingLayout Layout, IReadOnlyList<string>? Sides,
    IReadOnlyList<ExifLabels?> AcquisitionLabels, EmbeddingCache Cache, IReadOnlyDictionary<string, string> FileStamp);

/// <summary>One experiment to run: an encoder on a task, with the suite's inputs, progress, lines and cancellation.</summary>
public sealed record ExperimentContext(OnnxEncoder Encoder, TraceTaskSpec Task, SuiteInputs Inputs, Action<string> Log,
    IProgress<StageProgress>? Progress, CancellationToken Cancel);

/// <summary>
/// The one shape of an experiment: every kind of trace task runs through this, chosen from
/// <see cref="ExperimentTable"/> by its kind and the run's layout.
/// </summary>
public interface ITraceExperiment
{
    /// <summary>The summary's <c>experiment</c> name of the records this writes (and of its not_run entries).</summary>
    string Name { get; }

    Task<ExperimentResult> RunAsync(ExperimentContext context);
}
