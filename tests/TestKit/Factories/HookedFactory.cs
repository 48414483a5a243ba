namespace Pool.Tests.Kit;

/// <summary>
/// A <see cref="FakeFactory"/> with hooks that run inside CreateAsync and DestroyAsync, in the context
/// the pool called them in: to see which AsyncLocals and SynchronizationContext the pool lends its
/// factory. The hooks' awaits deliberately capture the context (no ConfigureAwait(false)), as a
/// careless factory's would.
/// </summary>
public sealed class HookedFactory(FakeFactory inner) : IConnectionFactory<TestConnection>
{
    private int _destroysFinished;

    public FakeFactory Inner => inner;

    /// <summary>Runs first in every CreateAsync.</summary>
    public Action? OnCreate { get; set; }

    /// <summary>Runs first in every DestroyAsync; awaited before the connection is destroyed.</summary>
    public Func<TestConnection, Task>? OnDestroy { get; set; }

    /// <summary>DestroyAsync calls that ran to their end (after the hook).</summary>
    public int DestroysFinished => Volatile.Read(ref _destroysFinished);

    public ValueTask<TestConnection> CreateAsync(CancellationToken cancellationToken)
    {
        OnCreate?.Invoke();
        return inner.CreateAsync(cancellationToken);
    }

    public ValueTask<bool> ValidateAsync(TestConnection connection, CancellationToken cancellationToken) =>
        inner.ValidateAsync(connection, cancellationToken);

    public async ValueTask DestroyAsync(TestConnection connection)
    {
        if (OnDestroy is { } hook)
        {
            await hook(connection);
        }

        await inner.DestroyAsync(connection);
        Interlocked.Increment(ref _destroysFinished);
    }
}
