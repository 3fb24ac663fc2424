using TraceProbe.Common;

namespace TraceProbe.Experiments;

/// <summary>Which trace tasks a job runs.</summary>
public static class TaskSelection
{
    /// <summary>The tasks named, or by default every task of <paramref name="kind"/> (every task when null).</summary>
    public static IReadOnlyList<TraceTaskSpec> Select(IReadOnlyList<string> ids, TraceKind? kind)
    {
        var wanted = Names.Split(ids);
        if (wanted.Count == 0) return ExperimentRegistry.All.Where(t => kind is null || t.Kind == kind).ToList();
        return wanted.Select(id => ExperimentRegistry.Find(id)
            ?? throw new SettingsException($"--tasks: unknown task '{id}'. Known: {string.Join(", ", ExperimentRegistry.All.Select(t => t.Id))}.")).ToList();
    }
}
