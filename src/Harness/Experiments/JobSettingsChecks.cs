using System.Globalization;
using TraceProbe.Common;

namespace TraceProbe.Experiments;

/// <summary>
/// The checks every front end gets by calling the suite: a setting out of range is a <see cref="SettingsException"/>
/// naming it (property and command-line option), raised before any work, never a hang or a fault deep in a stage.
/// </summary>
public static class JobSettingsChecks
{
    /// <summary>Throws for the first setting out of range; returns the settings otherwise.</summary>
    public static JobSettings Validate(this JobSettings s)
    {
        AtLeast(s.BatchSize, 1, nameof(s.BatchSize), "--batch-size");
        AtLeast(s.ChunkSize, 1, nameof(s.ChunkSize), "--chunk-size");
        AtLeast(s.Crops.TrainCropsPerPhoto, 1, "Crops.TrainCropsPerPhoto", "--train-crops");
        AtLeast(s.Crops.TestCropsPerPhoto, 1, "Crops.TestCropsPerPhoto", "--test-crops");
        if (s.Crops.TestFraction is not (> 0 and < 1))
            throw Error("Crops.TestFraction", "the held-out share", s.Crops.TestFraction, "must be in (0, 1)");
        AtLeast(s.MinTestPhotos, 1, nameof(s.MinTestPhotos), "--min-test-photos");
        AtLeast(s.Threads, 0, nameof(s.Threads), "--threads");
        if (s.ProbeSeeds is { } seeds) AtLeast(seeds, 1, nameof(s.ProbeSeeds), "--probe-seeds");
        if (s.KnnK is { } k) AtLeast(k, 0, nameof(s.KnnK), "--knn-k");
        if (s.MaskRatio is { } r && !CentreMaskRatio.IsAllowed(r))
            throw Error(nameof(s.MaskRatio), "--mask-ratio", r, $"must be 0 (unmasked) or in {CentreMaskRatio.Interval}");
        ComputeDevice.Parse(s.Device);
        return s;
    }

    private static void AtLeast(int value, int least, string property, string option)
    {
        if (value < least) throw Error(property, option, value, $"must be at least {least}");
    }

    private static SettingsException Error(string property, string option, double value, string rule) =>
        new($"{option} {value.ToString(CultureInfo.InvariantCulture)}: {rule} (setting {property}).");
}
