namespace Pool.Tests.Properties.Support;

internal enum CreateMode { Ok, Throw, Hang }

internal enum ValidateMode { Ok, False, Throw }

internal enum DestroyMode { Ok, Throw }

internal sealed class TestConnection(int id)
{
    public int Id { get; } = id;

    public override string ToString() => $"c{Id}";
}

/// <summary>
/// A factory whose behaviour the test switches between steps. Everything completes synchronously
/// except a hanging create, which parks until its token is cancelled (then throws
/// OperationCanceledException). Counts every call so the model can predict them.
/// </summary>
internal sealed class ScriptedFactory : IConnectionFactory<TestConnection>
{
    private readonly object _gate = new();
    private int _next;
    private int _live;
    private int _hung;
    private int _createCalls;
    private int _validateCalls;
    private int _destroyCalls;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, int> _calls = new(); // connection id → 1 validating, 2 destroyed
    private string? _overlap;

    public volatile CreateMode Create;
    public volatile ValidateMode Validate;
    public volatile DestroyMode Destroy;

    public int Live => Volatile.Read(ref _live);

    public int Hung => Volatile.Read(ref _hung);

    public int CreateCalls => Volatile.Read(ref _createCalls);

    public int ValidateCalls => Volatile.Read(ref _validateCalls);

    public int DestroyCalls => Volatile.Read(ref _destroyCalls);

    /// <summary>The first call the pool made on a connection while another call on it ran, or after it was destroyed (I11); null if none.</summary>
    public string? Overlap => Volatile.Read(ref _overlap);

    public ValueTask<TestConnection> CreateAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _createCalls);
        switch (Create)
        {
            case CreateMode.Throw:
                return ValueTask.FromException<TestConnection>(new InvalidOperationException("scripted create failure"));
            case CreateMode.Hang:
                return new ValueTask<TestConnection>(HangAsync(cancellationToken));
            default:
                Interlocked.Increment(ref _live);
                return new(new TestConnection(Interlocked.Increment(ref _next)));
        }
    }

    public ValueTask<bool> ValidateAsync(TestConnection connection, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _validateCalls);
        if (!_calls.TryAdd(connection.Id, 1))
        {
            Interlocked.CompareExchange(ref _overlap, $"I11 One call at a time per connection violated: {connection} was validated while another call on it ran or after its destroy.", null);
        }

        var answer = Validate switch
        {
            ValidateMode.Throw => ValueTask.FromException<bool>(new InvalidOperationException("scripted validate failure")),
            ValidateMode.False => new(false),
            _ => new ValueTask<bool>(true),
        };
        _calls.TryRemove(new KeyValuePair<int, int>(connection.Id, 1));
        return answer;
    }

    public ValueTask DestroyAsync(TestConnection connection)
    {
        Interlocked.Increment(ref _destroyCalls);
        if (_calls.TryGetValue(connection.Id, out int call) || !_calls.TryAdd(connection.Id, 2))
        {
            Interlocked.CompareExchange(
                ref _overlap, $"I11 One call at a time per connection violated: {connection} was destroyed while {(call == 1 ? "its ValidateAsync ran" : "already destroyed")}.", null);
        }

        Interlocked.Decrement(ref _live);
        return Destroy == DestroyMode.Throw ? ValueTask.FromException(new InvalidOperationException("scripted destroy failure")) : default;
    }

    private Task<TestConnection> HangAsync(CancellationToken cancellationToken)
    {
        var tcs = new TaskCompletionSource<TestConnection>();
        Interlocked.Increment(ref _hung);
        cancellationToken.Register(() =>
        {
            Interlocked.Decrement(ref _hung);
            tcs.TrySetCanceled(cancellationToken);
        });
        return tcs.Task;
    }
}
