using Microsoft.Extensions.Time.Testing;

namespace Pool.Tests.Properties;

public sealed class SmokeTests
{
    private sealed class Factory : IConnectionFactory<object>
    {
        public int Live;

        public ValueTask<object> CreateAsync(CancellationToken cancellationToken)
        {
            Live++;
            return new(new object());
        }

        public ValueTask<bool> ValidateAsync(object connection, CancellationToken cancellationToken) => new(true);

        public ValueTask DestroyAsync(object connection)
        {
            Live--;
            return default;
        }
    }

    /// <summary>Sequential acquire/return sequences never leave the pool above MaxSize or out of balance.</summary>
    [Property(MaxTest = 200)]
    public Property SequentialAcquireAndReturn_KeepsTheInvariants(PositiveInt maxSize, bool[] acquireOrReturn)
    {
        int max = Math.Min(maxSize.Get, 8);
        var factory = new Factory();
        var pool = new ConnectionPool<object>(factory, new ConnectionPoolOptions { MaxSize = max, TimeProvider = new FakeTimeProvider() });
        var held = new Stack<PooledConnection<object>>();
        foreach (bool acquire in acquireOrReturn)
        {
            if (acquire && held.Count < max)
            {
                held.Push(pool.AcquireAsync().AsTask().GetAwaiter().GetResult());
            }
            else if (held.Count > 0)
            {
                held.Pop().Dispose();
            }

            var stats = pool.GetStatistics();
            if (PoolInvariants.FindViolation(stats) is { } violation)
            {
                return false.Label(violation);
            }

            if (stats.InUse != held.Count || stats.Total != factory.Live)
            {
                return false.Label($"InUse={stats.InUse} held={held.Count} Total={stats.Total} live={factory.Live}");
            }
        }

        return true.ToProperty();
    }
}
