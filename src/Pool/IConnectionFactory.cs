namespace Pool;

/// <summary>
/// Creates, checks and destroys the connections a <see cref="ConnectionPool{TConnection}"/> holds.
/// The pool never calls these members while holding its lock, and calls <see cref="DestroyAsync"/>
/// exactly once for every connection <see cref="CreateAsync"/> returned.
/// </summary>
/// <typeparam name="TConnection">The connection type.</typeparam>
public interface IConnectionFactory<TConnection>
{
    /// <summary>Opens a new connection.</summary>
    /// <param name="cancellationToken">
    /// The pool's token, not an acquirer's: a create outlives the acquire that caused it. It is
    /// cancelled when the pool is disposed (or when the pool's own create deadline passes).
    /// </param>
    /// <returns>The new connection; never <see langword="null"/>.</returns>
    ValueTask<TConnection> CreateAsync(CancellationToken cancellationToken);

    /// <summary>Checks that an idle connection still works before it is handed out.</summary>
    /// <param name="connection">The connection to check.</param>
    /// <param name="cancellationToken">Cancelled when the pool's validation deadline passes.</param>
    /// <returns><see langword="true"/> if the connection can be used.</returns>
    ValueTask<bool> ValidateAsync(TConnection connection, CancellationToken cancellationToken);

    /// <summary>Closes a connection. An exception is counted by the pool and otherwise ignored.</summary>
    /// <param name="connection">The connection to close.</param>
    /// <returns>A task that completes when the connection is closed.</returns>
    ValueTask DestroyAsync(TConnection connection);
}
