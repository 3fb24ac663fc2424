namespace TraceProbe.Results;

/// <summary>
/// What the records of one (encoder, experiment, task) share; each record adds its set-up, metric and value.
/// Replaces filling a <see cref="SummaryRecord"/> template with placeholder metric and value.
/// </summary>
public sealed record RecordScope
{
    public required string Encoder { get; init; }
    public required string Family { get; init; }
    public required string Experiment { get; init; }
    public required string Task { get; init; }
    public double? Chance { get; init; }
    public int NTrain { get; init; }
    public int NTest { get; init; }
    public IReadOnlyList<string> Classes { get; init; } = [];
    public IReadOnlyDictionary<string, string>? Details { get; init; }

    public SummaryRecord Record(string setup, string metric, double value, double? std = null) => new()
    {
        Encoder = Encoder,
        Family = Family,
        Experiment = Experiment,
        Task = Task,
        Setup = setup,
        Metric = metric,
        Value = value,
        Std = std,
        Chance = Chance,
        NTrain = NTrain,
        NTest = NTest,
        Classes = Classes,
        Details = Details,
    };
}
