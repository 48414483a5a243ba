using System.Globalization;

namespace Pool.Demo.CommandLine;

/// <summary>Durations on the command line: "30" (seconds), "500ms", "30s", "1.5m", "10m", "2h".</summary>
internal static class DurationText
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        string number = text;
        double unit = 1;
        foreach (var (suffix, seconds) in Units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                number = text[..^suffix.Length];
                unit = seconds;
                break;
            }
        }

        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value)
            || double.IsInfinity(value * unit) || value * unit > TimeSpan.MaxValue.TotalSeconds)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * unit);
        return true;
    }

    /// <summary>Short and exact enough for a console: "850 ms", "30 s", "1.5 s", "10 min", "2 h".</summary>
    public static string Show(TimeSpan duration) => duration switch
    {
        { TotalSeconds: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0} ms"),
        { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.#} s"),
        { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMinutes:0.#} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalHours:0.#} h"),
    };

    // "ms" before "s" and "m": the first suffix that matches wins.
    private static readonly (string Suffix, double Seconds)[] Units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
}
