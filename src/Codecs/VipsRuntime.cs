using NetVips;

namespace TraceProbe.Images;

/// <summary>
/// libvips' process-wide settings, made once before the first call: one worker thread per call (the pipeline runs as
/// many calls in parallel as it has preprocessing threads, and the encoder needs the other cores), no operation
/// cache (every call is a new image; a cached operation would keep a borrowed pixel buffer alive after it was
/// returned to its pool), and libjpeg's warnings kept off the console: each corrupt file would print a line there,
/// and the decoder reports the warning as the file's skip reason instead (<see cref="JpegCodec"/>).
/// </summary>
internal static class VipsRuntime
{
    private static readonly Lazy<bool> Ready = new(() =>
    {
        if (!ModuleInitializer.VipsInitialized)
            throw new InvalidOperationException($"libvips could not be loaded: {ModuleInitializer.Exception?.Message}");
        NetVips.NetVips.Concurrency = 1;
        Cache.Max = 0;
        Log.SetLogHandler("VIPS", Enums.LogLevelFlags.Warning | Enums.LogLevelFlags.Info | Enums.LogLevelFlags.Debug, (_, _, _) => { });
        return true;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    public static void EnsureReady() => _ = Ready.Value;
}
