using Spectre.Console;

namespace TraceProbe.Cli;

/// <summary>
/// Tables for people and for pipes. On a terminal: a Spectre table whose key columns (ids, paths) never wrap.
/// Redirected (a pipe, a file): one tab-separated row per line, header first, so that grep, cut and
/// spreadsheets see whole cells; a table's box drawing would split long cells over several lines.
/// </summary>
public static class TableOutput
{
    /// <summary>True when <paramref name="output"/> is the console and the console is a terminal.</summary>
    public static bool IsTerminal(TextWriter output) => !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out);

    public static void Write(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, params string[] noWrap)
    {
        if (!IsTerminal(output))
        {
            output.WriteLine(string.Join('\t', headers.Select(Cell)));
            foreach (var row in rows) output.WriteLine(string.Join('\t', row.Select(Cell)));
            return;
        }
        var table = new Table();
        foreach (var header in headers)
        {
            var column = new TableColumn(Markup.Escape(header));
            if (noWrap.Contains(header)) column.NoWrap();
            table.AddColumn(column);
        }
        foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) }).Write(table);
    }

    /// <summary>A cell on one line with no tab inside, whatever the value holds.</summary>
    private static string Cell(string value) => value.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
}
