namespace Pool.Tests.Properties.Support;

internal enum CreateMode { Ok, Throw, Hang }

internal enum ValidateMode { Ok, False, Throw }

internal enum DestroyMode { Ok, Throw }

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

    public volatile CreateMode Create;
    public volatile ValidateMode Validate;
    public volatile DestroyMode Destroy;

    public int Live => Volatile.Read(ref _live);

    public int Hung => Volatile.Read(ref _hung);

    public int CreateCalls => Volatile.Read(ref _createCalls);

    public int ValidateCalls => Volatile.Read(ref _validateCalls);

    public int DestroyCalls => Volatile.Read(ref _destroyCalls);

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
        return Validate switch
        {
            ValidateMode.Throw => ValueTask.FromException<bool>(new InvalidOperationException("scripted validate failure")),
            ValidateMode.False => new(false),
            _ => new(true),
        };
    }

    public ValueTask DestroyAsync(TestConnection connection)
    {
        Interlocked.Increment(ref _destroyCalls);
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
