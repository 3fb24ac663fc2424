namespace TraceProbe.Neighbours;

/// <summary>Progress lines with an ETA, at most one per <paramref name="every"/> (and always the last), for a log or stderr.</summary>
public sealed class KnnProgressLog(Action<string> write, TimeSpan? every = null) : IProgress<KnnProgress>
{
    private readonly TimeSpan _every = every ?? TimeSpan.FromSeconds(10);
    private TimeSpan? _last;

    public void Report(KnnProgress value)
    {
        var finished = value.MultiplyAddsDone >= value.MultiplyAddsTotal;
        if (!finished && _last is { } last && value.Elapsed - last < _every) return;
        _last = value.Elapsed;
        var eta = value.Eta is { } t && !finished ? $", about {KnnCost.Format(t)} left" : "";
        write($"kNN influence: {100 * value.Fraction:0.0}% after {KnnCost.Format(value.Elapsed)}{eta}");
    }
}
