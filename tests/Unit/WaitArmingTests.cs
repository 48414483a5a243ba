using Pool.Internal;

namespace Pool.Tests.Unit;

/// <summary>
/// A waited acquire hands its caller the waiter's own task; the wait's deadline timer and token
/// registration are released by whichever comes last of arming them and delivering the outcome.
/// </summary>
public sealed class WaitArmingTests : PoolFixture<ArmedTimerClock>
{
    [Fact]
    public async Task ServedWait_ReleasesItsDeadlineAndItsTokenRegistration()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1, acquireTimeout: TimeSpan.FromSeconds(30));
        var holder = await pool.AcquireAsync();
        int before = Time.LiveTimers;
        using var cts = new CancellationTokenSource();
        var waiting = pool.AcquireAsync(cts.Token);
        Assert.Equal((before + 1, 1), (Time.LiveTimers, pool.Checked().Waiters));

        await holder.DisposeAsync();
        await using var lease = await waiting;
        await cts.CancelAsync(); // unregistered: cancelling now changes nothing

        var stats = pool.Checked();
        Assert.Equal((before, 0L, 0L, 1, true), (Time.LiveTimers, stats.Cancelled, stats.TimedOut, stats.InUse, lease.IsActive));
    }

    [Fact]
    public async Task TimedOutWait_ReleasesItsDeadline()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1, acquireTimeout: TimeSpan.FromSeconds(5));
        await using var holder = await pool.AcquireAsync();
        int before = Time.LiveTimers;
        var waiting = pool.AcquireAsync().AsTask();

        await Time.StepAsync(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<PoolExhaustedException>(() => waiting);
        Assert.StartsWith($"Timed out after 00:00:05 waiting for a connection from pool '{pool.Name}'", error.Message, StringComparison.Ordinal);
        Assert.Equal((before, 1L, 0), (Time.LiveTimers, pool.Checked().TimedOut, pool.Checked().Waiters));
    }

    [Fact]
    public void Arm_BeforeDelivery_DeliveryDisposesTheDeadlineOnceAndUnregistersTheToken()
    {
        var waiter = new Waiter<TestConnection>(null, "p");
        var deadline = new CountingTimer();
        using var cts = new CancellationTokenSource();
        int callbacks = 0;
        waiter.Arm(deadline, cts.Token.Register(() => callbacks++));
        Assert.Equal(0, deadline.Disposals);

        waiter.Fail(new TimeoutException("refused"));
        waiter.Deliver();
        cts.Cancel();

        Assert.Equal((1, 0, "refused"), (deadline.Disposals, callbacks, waiter.Task.Exception!.InnerException!.Message));
    }

    [Fact]
    public void Delivery_BeforeArm_ArmDisposesTheDeadlineOnceAndUnregistersTheToken()
    {
        var waiter = new Waiter<TestConnection>(null, "p");
        var deadline = new CountingTimer();
        using var cts = new CancellationTokenSource();
        int callbacks = 0;
        waiter.Fail(new TimeoutException("refused"));
        waiter.Deliver();

        waiter.Arm(deadline, cts.Token.Register(() => callbacks++));
        cts.Cancel();

        Assert.Equal((1, 0, TaskStatus.Faulted), (deadline.Disposals, callbacks, waiter.Task.Status));
    }

    [Fact]
    public void Refusals_KeepTheirDetails_WhenDelivered()
    {
        var unavailable = new Waiter<TestConnection>(null, "orders");
        unavailable.FailUnavailable(new IOException("down"), 3, TimeSpan.FromSeconds(2));
        unavailable.Deliver();
        var cancelled = new Waiter<TestConnection>(null, "orders");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        cancelled.Cancel(cts.Token);
        cancelled.Deliver();

        var refusal = Assert.IsType<PoolUnavailableException>(unavailable.Task.Exception!.InnerException);
        Assert.Equal((TimeSpan.FromSeconds(2), "down"), (refusal.RetryAfter!.Value, refusal.InnerException!.Message));
        Assert.Contains("'orders'", refusal.Message, StringComparison.Ordinal);
        Assert.Equal((TaskStatus.Canceled, cts.Token), (cancelled.Task.Status, Assert.ThrowsAny<OperationCanceledException>(() => cancelled.Task.GetAwaiter().GetResult()).CancellationToken));
    }

    private sealed class CountingTimer : ITimer
    {
        public int Disposals { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose() => Disposals++;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
