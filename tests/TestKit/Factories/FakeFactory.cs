using System.Collections.Concurrent;

namespace Pool.Tests.Kit;

/// <summary>
/// A factory whose creates either finish at once (success or failure) or wait until the test
/// releases them, and which counts what is alive so tests can compare the pool with reality.
/// Its calls can also follow a script, one <see cref="FactoryStep"/> per call (FakeFactory.Script.cs).
/// </summary>
public sealed partial class FakeFactory : IConnectionFactory<TestConnection>
{
    private readonly object _gate = new();
    private readonly Queue<PendingCreate> _pending = new();
    private readonly List<TaskCompletionSource> _pendingWatchers = [];
    private readonly ConcurrentDictionary<int, TestConnection> _live = new();
    private readonly ConcurrentDictionary<int, byte> _validating = new();
    private readonly ConcurrentQueue<string> _overlaps = new();
    private readonly ConcurrentQueue<TaskCompletionSource<bool>> _hung = new();
    private int _nextId;
    private int _peakLive;
    private int _createCalls;
    private int _destroyCalls;
    private int _validateCalls;
    private int _concurrentCreates;
    private int _peakConcurrentCreates;
    private int _hungCreates;
    private readonly List<TaskCompletionSource> _hungDestroys = [];
    private int _delayedCreates;

    /// <summary>When true, creates wait for <see cref="CompleteNext"/> or <see cref="FailNext"/>.</summary>
    public bool Gated { get; set; }

    /// <summary>When set, creates throw this (asynchronously, after the gate if gated).</summary>
    public Exception? CreateError { get; set; }

    /// <summary>When set, CreateAsync throws this synchronously instead of returning a task.</summary>
    public Exception? SyncCreateError { get; set; }

    public bool ReturnNull { get; set; }

    public Exception? DestroyError { get; set; }

    public Func<TestConnection, bool> Validate { get; set; } = _ => true;

    /// <summary>When set, ValidateAsync throws this.</summary>
    public Exception? ValidateError { get; set; }

    /// <summary>
    /// When true, ValidateAsync ignores its token and does not complete until the test calls
    /// <see cref="AnswerHungValidations"/> (a black-holed connection).
    /// </summary>
    public bool ValidateHangs { get; set; }

    /// <summary>
    /// Calls the pool made on a connection while another call on it still ran (I11 One call at a time
    /// per connection): a validation or destroy overlapping a validation. Empty in a sound pool;
    /// the unit tests' <c>Checked()</c> fails on any.
    /// </summary>
    public IReadOnlyCollection<string> Overlaps => _overlaps.ToArray();

    /// <summary>Validations that have started and not yet returned.</summary>
    public int ValidationsRunning => _validating.Count;

    /// <summary>When set (with <see cref="Clock"/>), each create takes this long on the clock.</summary>
    public TimeSpan CreateDelay { get; set; }

    public TimeProvider? Clock { get; set; }

    /// <summary>
    /// When true, creates never answer until the pool cancels their token, then throw
    /// OperationCanceledException (a black-holed backend; no gate to release them).
    /// </summary>
    public bool CreateHangs { get; set; }

    /// <summary>Creates hanging under <see cref="CreateHangs"/> whose token is not cancelled yet.</summary>
    public int HungCreates => Volatile.Read(ref _hungCreates);

    /// <summary>When true, a gated create fails with OperationCanceledException as soon as its token is cancelled.</summary>
    public bool HonorCancellation { get; set; }

    public int ValidateCalls => Volatile.Read(ref _validateCalls);

    /// <summary>Creates called and not yet answered, now (abandoned ones included: the factory cannot tell).</summary>
    public int CreatesInFlight => Volatile.Read(ref _concurrentCreates);

    /// <summary>When true, DestroyAsync closes the connection's bookkeeping only when <see cref="ReleaseDestroys"/> is called (a destroy that hangs).</summary>
    public bool DestroyHangs { get; set; }

    /// <summary>Destroys called and not yet completed (only while <see cref="DestroyHangs"/>).</summary>
    public int DestroysInFlight
    {
        get { lock (_gate) { return _hungDestroys.Count; } }
    }

    /// <summary>Completes every hung destroy.</summary>
    public void ReleaseDestroys()
    {
        TaskCompletionSource[] hung;
        lock (_gate)
        {
            hung = [.. _hungDestroys];
            _hungDestroys.Clear();
        }

        foreach (var destroy in hung)
        {
            destroy.TrySetResult();
        }
    }

    /// <summary>The most creates in flight at once (called and not yet answered).</summary>
    public int PeakConcurrentCreates => Volatile.Read(ref _peakConcurrentCreates);

    public int CreateCalls => Volatile.Read(ref _createCalls);

    public int DestroyCalls => Volatile.Read(ref _destroyCalls);

    public int Live => _live.Count;

    public int PeakLive => Volatile.Read(ref _peakLive);

    public IReadOnlyCollection<TestConnection> LiveConnections => _live.Values.ToArray();

    public int PendingCreates
    {
        get { lock (_gate) { return _pending.Count; } }
    }

    /// <summary>
    /// Create calls in flight that wait for something outside them (the gate, the pool's cancellation
    /// or <see cref="Clock"/>), as opposed to calls answering right now. See <see cref="PoolRest"/>.
    /// </summary>
    public int ParkedCreates
    {
        get
        {
            int gated;
            lock (_gate)
            {
                gated = _pending.Count(p => !p.Completion.Task.IsCompleted);
            }

            return gated + HungCreates + Volatile.Read(ref _delayedCreates);
        }
    }

    /// <summary>Every token the pool passed to CreateAsync, in call order.</summary>
    public ConcurrentQueue<CancellationToken> CreateTokens { get; } = new();

    public ValueTask<TestConnection> CreateAsync(CancellationToken cancellationToken)
    {
        int call = Interlocked.Increment(ref _createCalls) - 1;
        CreateTokens.Enqueue(cancellationToken);
        if (SyncCreateError is not null)
        {
            throw SyncCreateError;
        }

        int now = Interlocked.Increment(ref _concurrentCreates);
        int peak;
        while (now > (peak = Volatile.Read(ref _peakConcurrentCreates)) && Interlocked.CompareExchange(ref _peakConcurrentCreates, now, peak) != peak)
        {
        }

        // A scripted create counts itself out of CreatesInFlight (one async method less between the pool and the step).
        return new ValueTask<TestConnection>(CreateScript is { } script
            ? ScriptedCreateAsync(script(call), cancellationToken)
            : TrackConcurrency(CreateCoreAsync(cancellationToken)));
    }

    public ValueTask<bool> ValidateAsync(TestConnection connection, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _validateCalls);
        if (!_validating.TryAdd(connection.Id, 0))
        {
            _overlaps.Enqueue($"{connection} was validated while another ValidateAsync on it still ran.");
        }

        if (connection.DestroyCount > 0)
        {
            _overlaps.Enqueue($"{connection} was validated after it was destroyed.");
        }

        if (ValidateScript is { } script)
        {
            return new ValueTask<bool>(ScriptedValidateAsync(script(connection), connection, cancellationToken));
        }

        if (ValidateHangs)
        {
            var hung = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _hung.Enqueue(hung);
            return new ValueTask<bool>(EndValidationAfter(hung.Task, connection));
        }

        _validating.TryRemove(connection.Id, out _);
        return ValidateError is null ? new(Validate(connection)) : ValueTask.FromException<bool>(ValidateError);
    }

    /// <summary>Lets every hung validation return <paramref name="answer"/>.</summary>
    public void AnswerHungValidations(bool answer)
    {
        while (_hung.TryDequeue(out var hung))
        {
            hung.TrySetResult(answer);
        }
    }

    public ValueTask DestroyAsync(TestConnection connection)
    {
        Interlocked.Increment(ref _destroyCalls);
        if (_validating.ContainsKey(connection.Id))
        {
            _overlaps.Enqueue($"{connection} was destroyed while its ValidateAsync still ran.");
        }

        if (DestroyScript is { } script)
        {
            return new ValueTask(ScriptedDestroyAsync(script(connection), connection));
        }

        if (DestroyHangs)
        {
            var hung = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _hungDestroys.Add(hung);
            }

            return new ValueTask(FinishDestroyAsync(hung.Task, connection));
        }

        connection.MarkDestroyed();
        _live.TryRemove(connection.Id, out _);
        return DestroyError is null ? default : ValueTask.FromException(DestroyError);
    }

    private async Task FinishDestroyAsync(Task released, TestConnection connection)
    {
        await released;
        connection.MarkDestroyed();
        _live.TryRemove(connection.Id, out _);
    }

    /// <summary>Completes when at least <paramref name="count"/> gated creates are pending.</summary>
    public Task WaitForPendingAsync(int count)
    {
        lock (_gate)
        {
            if (_pending.Count >= count)
            {
                return Task.CompletedTask;
            }

            var watcher = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pendingWatchers.Add(watcher);
            return WaitLoopAsync(watcher.Task, count);
        }
    }

    public TestConnection CompleteNext()
    {
        var pending = Dequeue();
        var connection = CreateError is null ? Open() : null;
        if (connection is null)
        {
            pending.Completion.TrySetException(CreateError!);
            return null!;
        }

        pending.Completion.TrySetResult(connection);
        return connection;
    }

    public void FailNext(Exception error) => Dequeue().Completion.TrySetException(error);

    public CancellationToken PeekNextToken()
    {
        lock (_gate)
        {
            return _pending.Peek().Token;
        }
    }

    private async Task<TestConnection> CreateCoreAsync(CancellationToken cancellationToken)
    {
        if (CreateDelay > TimeSpan.Zero && Clock is not null)
        {
            await OnClockAsync(Clock, CreateDelay, parkedCreate: true);
        }

        if (CreateHangs)
        {
            return await HangAsync(cancellationToken);
        }

        if (!Gated)
        {
            return CreateError is null ? Open() : throw CreateError;
        }

        return await GatedCreateAsync(cancellationToken);
    }

    /// <summary>Queues a create at the gate; not async, so awaiting it is one continuation, as before scripts.</summary>
    private Task<TestConnection> GatedCreateAsync(CancellationToken cancellationToken)
    {
        var pending = new PendingCreate(cancellationToken);
        lock (_gate)
        {
            _pending.Enqueue(pending);
            WakeWatchers();
        }

        if (HonorCancellation)
        {
            cancellationToken.Register(() => pending.Completion.TrySetCanceled(cancellationToken));
        }

        return pending.Completion.Task;
    }

    /// <summary>Waits <paramref name="delay"/> on <paramref name="clock"/>; a create counts as parked meanwhile (<see cref="ParkedCreates"/>).</summary>
    private async Task OnClockAsync(TimeProvider clock, TimeSpan delay, bool parkedCreate)
    {
        // Not Task.Delay: the count of parked creates must drop the moment the clock releases this one.
        var delayed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (parkedCreate)
        {
            Interlocked.Increment(ref _delayedCreates);
        }

        using var timer = clock.CreateTimer(
            _ =>
            {
                if (parkedCreate)
                {
                    Interlocked.Decrement(ref _delayedCreates);
                }

                delayed.TrySetResult();
            },
            null,
            delay,
            Timeout.InfiniteTimeSpan);
        await delayed.Task;
    }

    private async Task<bool> EndValidationAfter(Task<bool> answer, TestConnection connection)
    {
        try
        {
            return await answer;
        }
        finally
        {
            _validating.TryRemove(connection.Id, out _);
        }
    }

    private Task<TestConnection> HangAsync(CancellationToken cancellationToken)
    {
        var hang = new TaskCompletionSource<TestConnection>();
        Interlocked.Increment(ref _hungCreates);
        cancellationToken.Register(() =>
        {
            Interlocked.Decrement(ref _hungCreates);
            hang.TrySetCanceled(cancellationToken);
        });
        return hang.Task;
    }

    private async Task<TestConnection> TrackConcurrency(Task<TestConnection> create)
    {
        try
        {
            return await create;
        }
        finally
        {
            Interlocked.Decrement(ref _concurrentCreates);
        }
    }

    private async Task WaitLoopAsync(Task changed, int count)
    {
        await changed;
        await WaitForPendingAsync(count);
    }

    private PendingCreate Dequeue()
    {
        lock (_gate)
        {
            return _pending.Dequeue();
        }
    }

    private TestConnection Open()
    {
        if (ReturnNull)
        {
            return null!;
        }

        var connection = new TestConnection(Interlocked.Increment(ref _nextId));
        _live[connection.Id] = connection;
        int live = _live.Count;
        int peak;
        while (live > (peak = Volatile.Read(ref _peakLive)) && Interlocked.CompareExchange(ref _peakLive, live, peak) != peak)
        {
        }

        return connection;
    }

    private void WakeWatchers()
    {
        foreach (var watcher in _pendingWatchers)
        {
            watcher.TrySetResult();
        }

        _pendingWatchers.Clear();
    }

    private sealed class PendingCreate(CancellationToken token)
    {
        public CancellationToken Token { get; } = token;

        public TaskCompletionSource<TestConnection> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
