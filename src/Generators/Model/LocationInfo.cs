using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace TraceProbe.Generators.Model;

/// <summary>
/// Where something sits in encoders.json, as plain numbers: a <see cref="Location"/> would keep the
/// pipeline from caching, so one is made only when a diagnostic is reported.
/// </summary>
internal readonly record struct LocationInfo(
    string FilePath, int Start, int Length, int StartLine, int StartColumn, int EndLine, int EndColumn)
{
    public Location ToLocation() => Location.Create(
        FilePath,
        new TextSpan(Start, Length),
        new LinePositionSpan(new LinePosition(StartLine, StartColumn), new LinePosition(EndLine, EndColumn)));
}
