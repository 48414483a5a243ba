using System.Runtime.InteropServices;

namespace Pool.Benchmarks;

/// <summary>What the results say about the machine they were measured on.</summary>
internal static class Machine
{
    /// <summary>The 1, 5 and 15 minute load averages (Linux), or "n/a".</summary>
    public static string LoadAverage()
    {
        const string path = "/proc/loadavg";
        if (!File.Exists(path))
        {
            return "n/a";
        }

        var parts = File.ReadAllText(path).Split(' ');
        return parts.Length >= 3 ? $"{parts[0]} {parts[1]} {parts[2]}" : "n/a";
    }

    public static string Describe() =>
        $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture}), {Environment.ProcessorCount} logical cores, "
        + $"{RuntimeInformation.FrameworkDescription}{Virtualization()}";

    /// <summary>Whether this is a virtual machine and which clock source the kernel reads: both change what a clock read costs.</summary>
    private static string Virtualization()
    {
        const string cpuinfo = "/proc/cpuinfo";
        const string clocksource = "/sys/devices/system/clocksource/clocksource0/current_clocksource";
        bool virtualized = File.Exists(cpuinfo) && File.ReadLines(cpuinfo).Any(l => l.StartsWith("flags", StringComparison.Ordinal) && l.Contains(" hypervisor", StringComparison.Ordinal));
        string source = File.Exists(clocksource) ? File.ReadAllText(clocksource).Trim() : "unknown";
        return $", {(virtualized ? "a virtual machine" : "no hypervisor flag")}, kernel clock source {source}";
    }
}
