namespace Pool.Internal;

/// <summary>What an acquirer does after a check on borrow: the first of these to happen decides.</summary>
internal enum BorrowVerdict
{
    /// <summary>ValidateAsync answered true in time: the acquirer keeps the lease.</summary>
    Valid,

    /// <summary>ValidateAsync answered false or threw in time: the acquirer destroys the connection and goes on.</summary>
    Invalid,

    /// <summary>ValidationTimeout passed first: the acquirer goes on; the connection counts as failed.</summary>
    TimedOut,

    /// <summary>The acquirer's token was cancelled first: it leaves with the cancellation.</summary>
    Cancelled,

    /// <summary>The pool's dispose started first: the acquirer fails with ObjectDisposedException.</summary>
    Disposed,
}

/// <summary>
/// One ValidateAsync call on borrow. The acquirer waits only for <see cref="Verdict"/>, which the first
/// answer sets (the check, ValidationTimeout, the acquirer's cancellation, dispose); the connection
/// stays with the check, leased in InUse, until ValidateAsync has returned (I11). If the verdict was
/// not the check's own answer, the acquirer has left and the check judges the connection when the
/// call returns.
/// </summary>
/// <typeparam name="TConnection">The connection type.</typeparam>
internal sealed class BorrowCheck<TConnection> : IDisposable
{
    private readonly TaskCompletionSource<BorrowVerdict> _verdict = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Not linked to the pool's dispose token: disposing a linked source blocks while the parent's
    // cancellation is still inside its callback; dispose cancels this one through CancelForDispose.
    private readonly CancellationTokenSource _cancel = new();
    private int _timedOut; // 1 once ValidationTimeout passed; Volatile only

    /// <param name="lease">The lease the check holds while it runs.</param>
    public BorrowCheck(PooledConnection<TConnection> lease)
    {
        Lease = lease;
    }

    public PooledConnection<TConnection> Lease { get; }

    /// <summary>The factory's token: cancelled at ValidationTimeout or when the pool is disposed, never by the acquirer.</summary>
    public CancellationToken Token => _cancel.Token;

    public Task<BorrowVerdict> Verdict => _verdict.Task;

    /// <summary>Whether ValidationTimeout passed before ValidateAsync returned: then the answer does not count.</summary>
    public bool TimedOut => Volatile.Read(ref _timedOut) != 0;

    /// <summary>The ValidationTimeout timer; disposed when the call returns. Set once, before the call starts.</summary>
    public ITimer? Deadline { get; set; }

    /// <summary>The registration on the pool's dispose token; removed when the call returns. Set once, before the call starts.</summary>
    public CancellationTokenRegistration Disposing { get; set; }

    /// <summary>Sets the verdict if none is set yet. Call without the pool's lock (it may run the acquirer's continuation).</summary>
    /// <returns>False when another answer came first.</returns>
    public bool Decide(BorrowVerdict verdict) => _verdict.TrySetResult(verdict);

    /// <summary>ValidationTimeout passed: the answer will not count, the acquirer goes on, the factory's token is cancelled.</summary>
    public void TimeOut()
    {
        Volatile.Write(ref _timedOut, 1);
        Decide(BorrowVerdict.TimedOut);
        CancelCall();
    }

    /// <summary>The pool's dispose started: the acquirer fails at once and the factory's token is cancelled.</summary>
    public void CancelForDispose()
    {
        Decide(BorrowVerdict.Disposed);
        CancelCall();
    }

    private void CancelCall()
    {
        try
        {
            _cancel.Cancel();
        }
        catch (AggregateException)
        {
            // A callback the factory registered threw; the check counts as failed either way (and
            // this may run on a timer thread, which nothing may escape).
        }
        catch (ObjectDisposedException)
        {
            // The call returned and the check ended meanwhile: nothing left to cancel.
        }
    }

    /// <summary>The call returned: the deadline and the dispose registration are no longer needed.</summary>
    public void CallReturned()
    {
        GuardedClock.Dispose(Deadline);

        // Unregister, not Dispose: Dispose would spin until a running callback finishes.
        Disposing.Unregister();
    }

    public void Dispose() => _cancel.Dispose();
}
