namespace TraceProbe.Results;

/// <summary>
/// Exactly what a run ran: the program's commit, the command line, the registry and the dataset (or the embeddings file
/// a command read), beside the library
/// versions (codecs and ONNX Runtime) in <see cref="Summary.Versions"/>. Two summaries with equal manifests and
/// versions were made by the same code from the same inputs.
/// </summary>
public sealed record RunManifest
{
    /// <summary>The git commit the program was built from (null when built outside a git checkout).</summary>
    public string? GitCommit { get; init; }

    /// <summary>The process's command line, program first.</summary>
    public IReadOnlyList<string> Argv { get; init; } = [];

    /// <summary>SHA-256 of the encoders.json compiled into the program (encoders, their preprocessing, the task classes).</summary>
    public string? RegistrySha256 { get; init; }

    /// <summary>The photos the run read, when it read a dataset.</summary>
    public DatasetManifest? Dataset { get; init; }

    /// <summary>The embeddings file a command read instead of photos (probe, knn).</summary>
    public EmbeddingsManifest? Embeddings { get; init; }

    /// <summary>What this process knows of itself: commit and command line (the suite adds registry and dataset or embeddings).</summary>
    public static RunManifest Current() => new()
    {
        GitCommit = RunEnvironment.GitCommit,
        Argv = Environment.GetCommandLineArgs(),
    };
}

/// <summary>A dataset as a run found it: where, read as which layout, how many files, and a hash of their names and sizes.</summary>
public sealed record DatasetManifest(string Root, string Layout, int Files, string Sha256);

/// <summary>An embeddings file as a command found it: where, its size, and a hash of its header (not its rows).</summary>
public sealed record EmbeddingsManifest(string Path, long Bytes, string HeaderSha256);
