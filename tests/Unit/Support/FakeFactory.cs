using System.Collections.Concurrent;

namespace Pool.Tests.Unit.Support;

/// <summary>
/// A factory whose creates either finish at once (success or failure) or wait until the test
/// releases them, and which counts what is alive so tests can compare the pool with reality.
/// </summary>
public sealed class FakeFactory : IConnectionFactory<FakeConnection>
{
    private readonly object _gate = new();
    private readonly Queue<PendingCreate> _pending = new();
    private readonly List<TaskCompletionSource> _pendingWatchers = [];
    private readonly ConcurrentDictionary<int, FakeConnection> _live = new();
    private int _nextId;
    private int _peakLive;
    private int _createCalls;
    private int _destroyCalls;

    /// <summary>When true, creates wait for <see cref="CompleteNext"/> or <see cref="FailNext"/>.</summary>
    public bool Gated { get; set; }

    /// <summary>When set, creates throw this (asynchronously, after the gate if gated).</summary>
    public Exception? CreateError { get; set; }

    /// <summary>When set, CreateAsync throws this synchronously instead of returning a task.</summary>
    public Exception? SyncCreateError { get; set; }

    public bool ReturnNull { get; set; }

    public Exception? DestroyError { get; set; }

    public Func<FakeConnection, bool> Validate { get; set; } = _ => true;

    public int CreateCalls => Volatile.Read(ref _createCalls);

    public int DestroyCalls => Volatile.Read(ref _destroyCalls);

    public int Live => _live.Count;

    public int PeakLive => Volatile.Read(ref _peakLive);

    public IReadOnlyCollection<FakeConnection> LiveConnections => _live.Values.ToArray();

    public int PendingCreates
    {
        get { lock (_gate) { return _pending.Count; } }
    }

    /// <summary>Every token the pool passed to CreateAsync, in call order.</summary>
    public ConcurrentQueue<CancellationToken> CreateTokens { get; } = new();

    public ValueTask<FakeConnection> CreateAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _createCalls);
        CreateTokens.Enqueue(cancellationToken);
        if (SyncCreateError is not null)
        {
            throw SyncCreateError;
        }

        if (!Gated)
        {
            return CreateError is null ? new ValueTask<FakeConnection>(Open()) : ValueTask.FromException<FakeConnection>(CreateError);
        }

        var pending = new PendingCreate(cancellationToken);
        lock (_gate)
        {
            _pending.Enqueue(pending);
            WakeWatchers();
        }

        return new ValueTask<FakeConnection>(pending.Completion.Task);
    }

    public ValueTask<bool> ValidateAsync(FakeConnection connection, CancellationToken cancellationToken) =>
        new(Validate(connection));

    public ValueTask DestroyAsync(FakeConnection connection)
    {
        Interlocked.Increment(ref _destroyCalls);
        connection.MarkDestroyed();
        _live.TryRemove(connection.Id, out _);
        return DestroyError is null ? default : ValueTask.FromException(DestroyError);
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

    public FakeConnection CompleteNext()
    {
        var pending = Dequeue();
        var connection = CreateError is null ? Open() : null;
        if (connection is null)
        {
            pending.Completion.SetException(CreateError!);
            return null!;
        }

        pending.Completion.SetResult(connection);
        return connection;
    }

    public void FailNext(Exception error) => Dequeue().Completion.SetException(error);

    /// <summary>Completes a pending create with a null connection (a broken factory).</summary>
    public void CompleteNextWithNull() => Dequeue().Completion.SetResult(null!);

    public CancellationToken PeekNextToken()
    {
        lock (_gate)
        {
            return _pending.Peek().Token;
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

    private FakeConnection Open()
    {
        if (ReturnNull)
        {
            return null!;
        }

        var connection = new FakeConnection(Interlocked.Increment(ref _nextId));
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

        public TaskCompletionSource<FakeConnection> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
