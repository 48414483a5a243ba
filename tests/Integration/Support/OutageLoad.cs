using System.Collections.Concurrent;

namespace Pool.Tests.Integration.Support;

/// <summary>
/// Workers that query a <see cref="GridCollection"/> through a pool in a loop and sort every outcome:
/// successes (with the time of the first one after <see cref="MarkRestart"/>), fast failures (with
/// their latency and inner error), the other failures an outage explains, and anything else.
/// </summary>
internal sealed class OutageLoad : IAsyncDisposable
{
    private readonly QdrantClientPool _pool;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private long _successes;
    private long _fastFailures;
    private long _createFailures;
    private long _callFailures;
    private long _restartedAt;
    private long _firstSuccessAfterRestart;

    public OutageLoad(QdrantClientPool pool, int workers, int points)
    {
        _pool = pool;
        _workers = Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkAsync(w, workers, points))).ToArray();
    }

    public long Successes => Interlocked.Read(ref _successes);

    public long FastFailures => Interlocked.Read(ref _fastFailures);

    public long CreateFailures => Interlocked.Read(ref _createFailures);

    public long CallFailures => Interlocked.Read(ref _callFailures);

    public long Failures => FastFailures + CreateFailures + CallFailures;

    /// <summary>
    /// How long each call took that started while the fast-fail window was open and failed with
    /// <see cref="PoolUnavailableException"/>, in milliseconds.
    /// </summary>
    public ConcurrentQueue<double> FastFailLatencies { get; } = new();

    /// <summary>
    /// How long each call took that was queued when the window opened (and so failed with
    /// <see cref="PoolUnavailableException"/> then), in milliseconds: its wait for the failing creates.
    /// </summary>
    public ConcurrentQueue<double> ReleasedWaiterLatencies { get; } = new();

    /// <summary>Inner errors of fast failures that were not an RpcException Unavailable.</summary>
    public ConcurrentBag<Exception?> WrongInnerErrors { get; } = [];

    public ConcurrentBag<Exception> Unexpected { get; } = [];

    /// <summary>From now on, the first success is timed (see <see cref="RecoveredAfter"/>).</summary>
    public void MarkRestart()
    {
        Interlocked.Exchange(ref _firstSuccessAfterRestart, 0);
        Interlocked.Exchange(ref _restartedAt, Stopwatch.GetTimestamp());
    }

    /// <summary>Real time from <see cref="MarkRestart"/> to the first call that succeeded after it, if any yet.</summary>
    public TimeSpan? RecoveredAfter
    {
        get
        {
            long first = Interlocked.Read(ref _firstSuccessAfterRestart);
            return first == 0 ? null : Stopwatch.GetElapsedTime(Interlocked.Read(ref _restartedAt), first);
        }
    }

    public Task WaitForSuccessesAsync(long more, TimeSpan? timeout = null)
    {
        long target = Successes + more;
        return Waits.UntilAsync(() => Successes >= target || !Unexpected.IsEmpty, () => $"{this}: waiting for {target} successes", timeout);
    }

    public Task WaitForFastFailuresAsync(long more)
    {
        long target = FastFailures + more;
        return Waits.UntilAsync(() => FastFailures >= target || !Unexpected.IsEmpty, () => $"{this}: waiting for {target} fast failures");
    }

    /// <summary>Stops the workers and waits for them; afterwards no call runs.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        _stop.Dispose();
    }

    public override string ToString() =>
        $"{Successes} succeeded, {FastFailures} failed fast, {CreateFailures} create failures, {CallFailures} call failures, {Unexpected.Count} unexpected";

    private async Task WorkAsync(int worker, int workers, int points)
    {
        var stop = _stop.Token;
        for (int i = worker; !stop.IsCancellationRequested; i += workers)
        {
            bool windowOpen = _pool.GetStatistics().IsUnavailable;
            long start = Stopwatch.GetTimestamp();
            try
            {
                await GridCollection.QueryNearAsync(_pool, i % points, stop);
                Interlocked.Increment(ref _successes);
                if (Interlocked.Read(ref _restartedAt) != 0)
                {
                    Interlocked.CompareExchange(ref _firstSuccessAfterRestart, Stopwatch.GetTimestamp(), 0);
                }

                continue;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && stop.IsCancellationRequested)
            {
                return;
            }
            catch (PoolUnavailableException e)
            {
                (windowOpen ? FastFailLatencies : ReleasedWaiterLatencies).Enqueue(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                Interlocked.Increment(ref _fastFailures);
                if (e.InnerException is not RpcException { StatusCode: StatusCode.Unavailable })
                {
                    WrongInnerErrors.Add(e.InnerException);
                }
            }
            catch (ConnectionCreateException)
            {
                Interlocked.Increment(ref _createFailures); // One of the creates before the window opened.
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal)
            {
                Interlocked.Increment(ref _callFailures); // A call on a connection the outage broke.
            }
            catch (Exception e)
            {
                Unexpected.Add(e);
                return;
            }

            // Paces a worker while calls fail at once; not a synchronisation.
            await Task.Delay(1, CancellationToken.None);
        }
    }
}
