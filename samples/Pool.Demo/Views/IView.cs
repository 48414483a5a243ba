namespace Pool.Demo.Views;

/// <summary>How a run shows itself while the load runs.</summary>
internal interface IView
{
    /// <summary>Shows the run until the run's clock reaches <paramref name="duration"/>.</summary>
    Task ShowAsync(Dashboard dashboard, TimeSpan duration);

    /// <summary>A line outside the live part (before or after it).</summary>
    void Note(string line);
}

/// <summary>Shows nothing: for runs driven by tests.</summary>
internal sealed class SilentView : IView
{
    public async Task ShowAsync(Dashboard dashboard, TimeSpan duration)
    {
        var left = duration - dashboard.Take().Elapsed;
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left);
        }
    }

    public void Note(string line)
    {
    }
}
