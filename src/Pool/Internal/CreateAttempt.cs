namespace Pool.Internal;

/// <summary>
/// One create in flight. Exactly one of "finished" (the factory answered) and "abandoned"
/// (CreateTimeout passed first) wins, under the pool's lock; the loser's result is not counted
/// against the slot.
/// </summary>
internal sealed class CreateAttempt : IDisposable
{
    private readonly CancellationTokenSource _cancel;

    public CreateAttempt(CancellationToken poolToken)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(poolToken);
    }

    /// <summary>The token the factory gets: cancelled on dispose of the pool or at CreateTimeout.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>Guarded by the pool's lock.</summary>
    public bool Settled { get; set; }

    public bool Abandoned { get; set; }

    /// <summary>Cancels the factory's token. Call without the pool's lock: the factory's callbacks run here.</summary>
    public void Cancel()
    {
        try
        {
            _cancel.Cancel();
        }
        catch (AggregateException)
        {
            // A callback the factory registered threw; the create is abandoned either way.
        }
        catch (ObjectDisposedException)
        {
            // The factory answered and the create finished meanwhile: nothing left to cancel.
        }
    }

    public void Dispose() => _cancel.Dispose();
}
