namespace TraceProbe.Cli;

public static class ExitCodes
{
    /// <summary>Success, even when some inputs were skipped (they are listed in the summary).</summary>
    public const int Success = 0;
    /// <summary>The run failed.</summary>
    public const int Failure = 1;
    /// <summary>The command line was wrong.</summary>
    public const int Usage = 2;
}

/// <summary>A mistake on the command line (unknown encoder, bad value): exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
