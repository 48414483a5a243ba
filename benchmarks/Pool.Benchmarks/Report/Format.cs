using System.Globalization;

namespace Pool.Benchmarks.Report;

/// <summary>Number formats shared by the tables.</summary>
internal static class Format
{
    public static string Ns(double ns) =>
        double.IsNaN(ns) ? "failed"
        : ns >= 1_000_000 ? string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000_000:F2} ms")
        : ns >= 10_000 ? string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000:F1} µs")
        : ns >= 1_000 ? string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000:F2} µs")
        : string.Create(CultureInfo.InvariantCulture, $"{ns:F1} ns");

    public static string Ratio(double ratio) =>
        double.IsNaN(ratio) || double.IsInfinity(ratio) ? "n/a"
        : ratio > 1_000 ? "> 1,000×"
        : string.Create(CultureInfo.InvariantCulture, $"{ratio:F2}×");

    public static string Bytes(long? bytes) => bytes is { } b ? $"{b} B" : "n/a";

    public static string Ms(double ms) =>
        ms < 1 ? string.Create(CultureInfo.InvariantCulture, $"{ms * 1_000:F0} µs") : string.Create(CultureInfo.InvariantCulture, $"{ms:F1} ms");

    public static string Number(double value) => string.Create(CultureInfo.InvariantCulture, $"{value:N0}");
}
