namespace Pool.Tests.Properties.Support;

/// <summary>
/// The model runs' factory: creates and destroys go to the kit's <see cref="FakeFactory"/> (which counts
/// them and what is alive); checks are answered here, so a hanging check can be held and answered one at
/// a time, oldest first (the kit's factory answers all its hung checks at once, whose continuations would
/// then race). It also records every call that overlaps a running check on the same connection (I11).
/// </summary>
internal sealed class ModelFactory(FakeFactory inner) : IConnectionFactory<TestConnection>
{
    private readonly object _gate = new();
    private readonly List<(TestConnection Connection, TaskCompletionSource<bool> Answer)> _held = []; // guarded by _gate, oldest first
    private readonly HashSet<int> _checking = [];                                                     // guarded by _gate
    private readonly List<string> _overlaps = [];                                                     // guarded by _gate
    private int _validateCalls;                                                                        // guarded by _gate

    public FakeFactory Inner => inner;

    public ValidateMode ValidateMode { get; set; }

    public int ValidateCalls
    {
        get { lock (_gate) { return _validateCalls; } }
    }

    /// <summary>Checks held by <see cref="ValidateMode.Hang"/> and not answered yet.</summary>
    public int HeldChecks
    {
        get { lock (_gate) { return _held.Count; } }
    }

    /// <summary>Calls on a connection while its check still ran, or checks of a destroyed connection (I11). Empty in a sound pool.</summary>
    public IReadOnlyList<string> Overlaps
    {
        get { lock (_gate) { return [.. _overlaps, .. inner.Overlaps]; } }
    }

    public ValueTask<TestConnection> CreateAsync(CancellationToken cancellationToken) => inner.CreateAsync(cancellationToken);

    public ValueTask<bool> ValidateAsync(TestConnection connection, CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool>? held = null;
        lock (_gate)
        {
            _validateCalls++;
            if (!_checking.Add(connection.Id))
            {
                _overlaps.Add($"{connection} was validated while another ValidateAsync on it still ran.");
            }

            if (connection.DestroyCount > 0)
            {
                _overlaps.Add($"{connection} was validated after it was destroyed.");
            }

            if (ValidateMode == ValidateMode.Hang)
            {
                // Ignores its token: ValidationTimeout, the acquirer's cancellation and dispose cannot end it.
                held = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _held.Add((connection, held));
            }
            else
            {
                _checking.Remove(connection.Id);
            }
        }

        return held is not null ? new ValueTask<bool>(held.Task)
            : ValidateMode == ValidateMode.Throw ? ValueTask.FromException<bool>(new InvalidOperationException("scripted validate failure"))
            : new ValueTask<bool>(ValidateMode == ValidateMode.Ok);
    }

    /// <summary>Answers the oldest held check; false if none is held.</summary>
    public bool AnswerOldestCheck(bool valid)
    {
        TaskCompletionSource<bool> answer;
        lock (_gate)
        {
            if (_held.Count == 0)
            {
                return false;
            }

            var (connection, tcs) = _held[0];
            _held.RemoveAt(0);
            _checking.Remove(connection.Id); // the call has returned once the pool sees its answer
            answer = tcs;
        }

        answer.TrySetResult(valid);
        return true;
    }

    public ValueTask DestroyAsync(TestConnection connection)
    {
        lock (_gate)
        {
            if (_checking.Contains(connection.Id))
            {
                _overlaps.Add($"{connection} was destroyed while its ValidateAsync still ran.");
            }
        }

        return inner.DestroyAsync(connection);
    }
}
