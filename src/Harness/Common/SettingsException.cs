namespace TraceProbe.Common;

/// <summary>
/// A mistake in what was asked for (an unknown encoder or task, a value out of range), found by the library;
/// front ends show it as a usage error (the command line exits with 2), not as a failed run.
/// </summary>
public sealed class SettingsException(string message) : Exception(message);
