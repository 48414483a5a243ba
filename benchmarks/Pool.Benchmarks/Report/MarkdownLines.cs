using System.Text;

namespace Pool.Benchmarks.Report;

/// <summary>Writes RESULTS.md a line at a time, with LF line ends whatever the OS.</summary>
internal static class MarkdownLines
{
    public static StringBuilder Line(this StringBuilder md, string text = "") => md.Append(text).Append('\n');
}
