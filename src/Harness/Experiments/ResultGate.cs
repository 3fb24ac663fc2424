using TraceProbe.Results;

namespace TraceProbe.Experiments;

/// <summary>
/// No result from too little data: an experiment's records resting on fewer than <see cref="MinimumTestPhotos"/>
/// held-out photos are not reported; the task is listed as not run, with the reason and the count.
/// </summary>
public static class ResultGate
{
    /// <summary>Below this many held-out photos an interval is too wide (and too unreliable) to mean anything.</summary>
    public const int MinimumTestPhotos = 10;

    /// <summary>The records worth reporting, and a not-run entry per (encoder, experiment, task) left out.</summary>
    public static (IReadOnlyList<SummaryRecord> Kept, IReadOnlyList<NotRunTask> NotRun) Apply(IEnumerable<SummaryRecord> records, int minimum = MinimumTestPhotos)
    {
        var kept = new List<SummaryRecord>();
        var notRun = new List<NotRunTask>();
        foreach (var g in records.GroupBy(r => (r.Encoder, r.Experiment, r.Task)))
        {
            var photos = g.Where(r => r.NTestPhotos is not null).Select(r => r.NTestPhotos!.Value).DefaultIfEmpty(int.MaxValue).Min();
            if (photos >= minimum) { kept.AddRange(g); continue; }
            notRun.Add(new NotRunTask
            {
                Encoder = g.Key.Encoder,
                Experiment = g.Key.Experiment,
                Task = g.Key.Task,
                Reason = $"{photos} held-out photos; results need at least {minimum}",
                TestPhotos = photos,
            });
        }
        return (kept, notRun);
    }
}
