namespace Pool.Benchmarks.Adapters;

/// <summary>The one way every adapter turns its pool's acquire into a <see cref="Lease"/>.</summary>
internal static class LeaseTasks
{
    public static ValueTask<Lease> From(ValueTask<BenchConnection> pending) =>
        pending.IsCompletedSuccessfully ? new ValueTask<Lease>(new Lease(pending.Result)) : AwaitAsync(pending);

    public static ValueTask<Lease> From(ValueTask<PooledConnection<BenchConnection>> pending) =>
        pending.IsCompletedSuccessfully ? new ValueTask<Lease>(new Lease(pending.Result)) : AwaitAsync(pending);

    private static async ValueTask<Lease> AwaitAsync(ValueTask<BenchConnection> pending) =>
        new(await pending.ConfigureAwait(false));

    private static async ValueTask<Lease> AwaitAsync(ValueTask<PooledConnection<BenchConnection>> pending) =>
        new(await pending.ConfigureAwait(false));
}
