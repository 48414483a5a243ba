namespace Pool.Tests.Unit;

/// <summary>The shared invariant checks must be able to fail: each one is shown a snapshot that breaks it.</summary>
public sealed class InvariantTests
{
    private static readonly PoolStatistics Healthy = new()
    {
        MaxSize = 4, Ceiling = 4, MaxConcurrentCreates = 2, Idle = 1, InUse = 2, Created = 3,
    };

    public static TheoryData<string, PoolStatistics, string> Broken => new()
    {
        { "negative count", Healthy with { InUse = -1, Created = 0 }, "I7 At most once violated: a count went negative." },
        { "over the ceiling", Healthy with { Creating = 2, Idle = 1, InUse = 2 }, "I1 Capacity violated: Total 5 exceeds the ceiling 4 (MaxSize 4)." },
        { "ceiling below MaxSize", Healthy with { Ceiling = 3 }, "I1 Capacity violated: Total 3 exceeds the ceiling 3 (MaxSize 4)." },
        { "idle kept while shrinking", Healthy with { MaxSize = 2, Ceiling = 3 }, "I1 Capacity violated: 1 connections are kept idle while idle + in use + creating exceeds MaxSize 2." },
        { "too many creates", Healthy with { MaxConcurrentCreates = 1, Idle = 0, InUse = 1, Creating = 2, Created = 1 }, "I8 Creates belong to the pool violated: 2 factory create calls may be in flight (Creating 2 + AbandonedCreates 0), more than MaxConcurrentCreates 1." },
        { "abandoned create over the cap", Healthy with { MaxConcurrentCreates = 1, Idle = 0, InUse = 1, Creating = 1, Created = 1, Abandoned = 1, AbandonedCreates = 1 }, "I8 Creates belong to the pool violated: 2 factory create calls may be in flight (Creating 1 + AbandonedCreates 1), more than MaxConcurrentCreates 1." },
        { "abandoned work beyond the backend bound", Healthy with { Idle = 0, InUse = 4, Created = 4, Abandoned = 3 }, "I1 Capacity violated: the backend may hold 7 of the pool's connections (Total 4 + Abandoned 3), more than the ceiling 4 + MaxConcurrentCreates 2." },
        { "abandoned creates not abandoned", Healthy with { AbandonedCreates = 1 }, "I1 Capacity violated: 1 abandoned creates are counted but only 0 abandoned connections." },
        { "destroyed more than created", Healthy with { Idle = 0, InUse = 0, Created = 1, Destroyed = 2 }, "I7 At most once violated: more connections were destroyed (2) than created (1)." },
        { "lost connection", Healthy with { Created = 4 }, "I3 Conservation across hand-off violated: 4 connections are alive (created − destroyed) but the pool accounts for 3 (idle + in use + destroying)." },
        { "waiter beside idle", Healthy with { Waiters = 1 }, "I4 No lost wake-up violated: 1 waiters are parked while 1 connections are idle." },
        { "waiter with free capacity", Healthy with { Idle = 0, InUse = 2, Created = 2, Waiters = 1 }, "I4 No lost wake-up violated: 1 waiters have no create coming although 2 slots are free." },
        { "waiter while failing fast", Healthy with { Idle = 0, InUse = 4, Created = 4, Waiters = 1, IsUnavailable = true }, "I5 Cancellation and timeout are safe violated: 1 waiters are parked while the pool fails fast." },
        { "disposed with idle", Healthy with { IsDisposed = true }, "I9 Dispose is complete violated: a disposed pool still has waiters or idle connections." },
    };

    [Fact]
    public void FindViolation_HealthySnapshot_ReturnsNull()
    {
        Assert.Null(PoolInvariants.FindViolation(Healthy));
        Assert.Null(Healthy.FindInvariantViolation());
        Assert.Null(PoolInvariants.FindViolation(Healthy with { Idle = 0, InUse = 4, Created = 4, Waiters = 3 }));
        Assert.Null(PoolInvariants.FindViolation(Healthy with { Idle = 0, InUse = 2, Created = 2, Creating = 2, Waiters = 5 }));
        Assert.Null(PoolInvariants.FindViolation(Healthy with { Idle = 0, InUse = 2, Created = 2, Waiters = 1, Abandoned = 2, AbandonedCreates = 2 })); // blocked by I8's cap
        Assert.Null(PoolInvariants.FindViolation(Healthy with { Idle = 0, InUse = 2, Created = 2, Waiters = 1, Abandoned = 4 })); // blocked by I1's backend bound
    }

    [Theory]
    [MemberData(nameof(Broken))]
    public void FindViolation_BrokenSnapshot_NamesTheInvariantAndTheCounts(string why, PoolStatistics stats, string expected)
    {
        string? violation = PoolInvariants.FindViolation(stats);

        Assert.NotNull(violation);
        Assert.StartsWith(expected, violation, StringComparison.Ordinal);
        Assert.Contains($"Counts: MaxSize={stats.MaxSize}, Total={stats.Total}", violation, StringComparison.Ordinal);
        var error = Assert.Throws<PoolInvariantException>(() => PoolInvariants.Assert(stats));
        Assert.Equal(violation, error.Message);
        Assert.Equal(violation, stats.FindInvariantViolation()); // the public check is the same check
        Assert.NotEmpty(why);
    }

    [Fact]
    public void Require_False_ThrowsNamingTheInvariant()
    {
        var error = Assert.Throws<PoolInvariantException>(() => PoolInvariants.Require(false, "I7 At most once", "a lease ended twice."));
        Assert.Equal("I7 At most once violated: a lease ended twice.", error.Message);
        PoolInvariants.Require(true, "I7 At most once", "never shown");
    }

    [Fact]
    public void Exceptions_StandardConstructors_KeepMessageAndCause()
    {
        var cause = new IOException("cause");
        Assert.Equal("Timed out waiting for a connection from the pool.", new PoolExhaustedException().Message);
        Assert.Same(cause, new PoolExhaustedException("m", cause).InnerException);
        Assert.Equal("The pool could not create a connection.", new ConnectionCreateException().Message);
        Assert.Equal("m", new ConnectionCreateException("m").Message);
        Assert.Equal("The pool is unavailable: its backend refuses new connections.", new PoolUnavailableException().Message);
        Assert.Equal("m", new PoolUnavailableException("m").Message);
    }

    [Fact]
    public async Task Waiter_CancelledFromTheMiddleOfTheQueue_LeavesTheOthersInOrder()
    {
        var time = new ArmedTimerClock();
        await using var pool = TestPools.Create(new FakeFactory(), time, maxSize: 1);
        var holder = await pool.AcquireAsync();
        using var cts = new CancellationTokenSource();
        var first = pool.AcquireAsync().AsTask();
        var middle = pool.AcquireAsync(cts.Token).AsTask();
        var last = pool.AcquireAsync().AsTask();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => middle);
        Assert.Equal(2, pool.Checked().Waiters);

        await holder.DisposeAsync();
        var a = await first;
        Assert.False(last.IsCompleted);
        await a.DisposeAsync();
        await using var b = await last;
        Assert.Equal((1L, 0), (pool.Checked().Cancelled, pool.Checked().Waiters));
    }
}
