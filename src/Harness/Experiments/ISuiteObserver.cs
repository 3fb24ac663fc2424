using TraceProbe.Embeddings;

namespace TraceProbe.Experiments;

/// <summary>
/// How a front end follows a suite: long stages report progress, decisions come as lines. The command line shows
/// bars or periodic lines; a notebook or a service can log them or ignore them (<see cref="SilentObserver"/>).
/// </summary>
public interface ISuiteObserver
{
    Task<T> RunAsync<T>(string title, Func<IProgress<StageProgress>, Task<T>> work);
    void Line(string message);
}

/// <summary>An observer that shows nothing.</summary>
public sealed class SilentObserver : ISuiteObserver
{
    public static readonly SilentObserver Instance = new();

    public Task<T> RunAsync<T>(string title, Func<IProgress<StageProgress>, Task<T>> work) => work(new Progress<StageProgress>(_ => { }));

    public void Line(string message) { }
}
