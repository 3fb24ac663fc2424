using Spectre.Console;
using TraceProbe.Embeddings;
using TraceProbe.Experiments;

namespace TraceProbe.Cli;

/// <summary>
/// Progress of long stages: live bars with ETA on a terminal, a line every 10% when output is redirected
/// (CI logs, job schedulers), nothing with --quiet.
/// </summary>
public sealed class ProgressDisplay(bool quiet) : ISuiteObserver
{
    public void Line(string message)
    {
        if (quiet) return;
        // On a terminal through Spectre, so that a line written while the live bars are drawn lands above them.
        if (Interactive) AnsiConsole.WriteLine(message);
        else Console.WriteLine(message);
    }

    private static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public async Task<T> RunAsync<T>(string title, Func<IProgress<StageProgress>, Task<T>> work)
    {
        if (quiet) return await work(new Progress<StageProgress>(_ => { }));
        if (!Interactive)
        {
            var lastDecile = new Dictionary<string, int>();
            var started = DateTime.UtcNow;
            var reporter = new SynchronousProgress(p =>
            {
                var decile = p.Total == 0 ? 10 : 10 * p.Done / p.Total;
                lock (lastDecile)
                {
                    if (lastDecile.TryGetValue(p.Stage, out var last) && last == decile) return;
                    lastDecile[p.Stage] = decile;
                }
                var elapsed = DateTime.UtcNow - started;
                var eta = p.Done == 0 ? "?" : $"{(elapsed * ((double)(p.Total - p.Done) / p.Done)).TotalSeconds:0}s";
                Console.WriteLine($"[{title}] {p.Stage}: {p.Done}/{p.Total} ({(p.Total == 0 ? 100 : 100 * p.Done / p.Total)}%), eta {eta}");
            });
            return await work(reporter);
        }
        T result = default!;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var reporter = new SynchronousProgress(p =>
                {
                    lock (tasks)
                    {
                        if (!tasks.TryGetValue(p.Stage, out var t))
                            tasks[p.Stage] = t = ctx.AddTask($"{Markup.Escape(title)}: {p.Stage}", maxValue: Math.Max(1, p.Total));
                        t.Value = p.Done;
                    }
                });
                result = await work(reporter);
            });
        return result;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    private sealed class SynchronousProgress(Action<StageProgress> report) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => report(value);
    }
}
