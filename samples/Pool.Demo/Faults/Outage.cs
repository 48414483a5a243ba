using System.Globalization;
using Pool.Demo.CommandLine;
using Pool.Qdrant.Testing;

namespace Pool.Demo.Faults;

/// <summary>Crashes the stand-in and brings it back on the same port, keeping the timeline's server state.</summary>
internal static class Outage
{
    /// <summary>Down for <paramref name="downFor"/>; a stop request shortens the outage but the server always comes back.</summary>
    public static async Task RunAsync(Rig rig, QdrantStandIn standIn, TimeSpan downFor, bool print, CancellationToken stop)
    {
        var timeline = rig.Timeline;
        timeline.Server = "stopping";
        await standIn.StopAsync();
        timeline.Down();
        timeline.Log(string.Create(CultureInfo.InvariantCulture, $"stand-in stopped (crash: connections aborted, port closed) for {DurationText.Show(downFor)}"), print);
        try
        {
            await Task.Delay(downFor, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is ending: come back now.
        }
        finally
        {
            timeline.Server = "restarting";
            await standIn.StartAsync(CancellationToken.None);
            timeline.Up();
            timeline.Log("stand-in listening again on the same port", print);
        }
    }
}
