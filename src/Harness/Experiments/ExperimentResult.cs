namespace TraceProbe.Experiments;

/// <summary>
/// What every kind of experiment answers: an outcome, or the reason it did not run (named with the settings that
/// were used, so that the summary's not_run says what to change).
/// </summary>
public sealed record ExperimentResult
{
    private ExperimentResult(ExperimentOutcome? outcome, string? notRun) => (Outcome, NotRunReason) = (outcome, notRun);

    public ExperimentOutcome? Outcome { get; }

    public string? NotRunReason { get; }

    public static ExperimentResult Ran(ExperimentOutcome outcome) => new(outcome, null);

    public static ExperimentResult NotRun(string reason) => new(null, reason);
}
