using TraceProbe.Common;

namespace TraceProbe.Embeddings;

/// <summary>The pipeline's own guard: a batch or chunk of 0 would never advance through the plan (it would hang).</summary>
public static class EmbeddingPipelineChecks
{
    public static EmbeddingPipelineOptions Validated(this EmbeddingPipelineOptions options)
    {
        if (options.BatchSize < 1) throw new SettingsException($"--batch-size {options.BatchSize}: must be at least 1 (setting BatchSize).");
        if (options.ChunkSize < 1) throw new SettingsException($"--chunk-size {options.ChunkSize}: must be at least 1 (setting ChunkSize).");
        if (options.PreprocessThreads < 0) throw new SettingsException($"PreprocessThreads {options.PreprocessThreads}: must be 0 (the cores the encoder leaves) or more.");
        if (options.QueueCapacity < 1) throw new SettingsException($"QueueCapacity {options.QueueCapacity}: must be at least 1.");
        return options;
    }
}
