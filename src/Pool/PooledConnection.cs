using Pool.Internal;

namespace Pool;

/// <summary>
/// A lease on one pooled connection. Dispose it to return the connection; call
/// <see cref="Invalidate"/> first if the connection is broken, so it is destroyed instead.
/// A lease returns at most once: disposing it again, or disposing a copy, does nothing.
/// </summary>
/// <typeparam name="TConnection">The connection type.</typeparam>
public readonly struct PooledConnection<TConnection> : IDisposable, IAsyncDisposable, IEquatable<PooledConnection<TConnection>>
{
    private readonly ConnectionEntry<TConnection>? _entry;
    private readonly long _leaseId;

    internal PooledConnection(ConnectionEntry<TConnection> entry, long leaseId)
    {
        _entry = entry;
        _leaseId = leaseId;
    }

    internal ConnectionEntry<TConnection>? Entry => _entry;

    internal long LeaseId => _leaseId;

    /// <summary>The leased connection.</summary>
    /// <exception cref="ObjectDisposedException">The lease was returned.</exception>
    /// <exception cref="InvalidOperationException">This is a default lease that never held a connection.</exception>
    public TConnection Connection
    {
        get
        {
            var entry = _entry ?? throw new InvalidOperationException("This lease is default: it never held a connection.");
            ObjectDisposedException.ThrowIf(!entry.IsLeasedBy(_leaseId), this);
            return entry.Connection;
        }
    }

    /// <summary>Whether the lease still holds its connection (not yet returned).</summary>
    public bool IsActive => _entry is not null && _entry.IsLeasedBy(_leaseId);

    /// <summary>
    /// Marks the connection broken: when the lease is disposed the connection is destroyed, its slot
    /// freed, and a replacement created if someone waits. Does nothing after the lease was returned.
    /// </summary>
    public void Invalidate() => _entry?.TryInvalidate(_leaseId);

    /// <summary>Returns the connection to the pool (or destroys it if invalidated).</summary>
    public void Dispose() => _entry?.Owner?.Return(_entry, _leaseId);

    /// <summary>Returns the connection to the pool (or destroys it if invalidated).</summary>
    /// <returns>A completed task: returning never waits; a destroy runs in the background.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    /// <inheritdoc/>
    public bool Equals(PooledConnection<TConnection> other) => ReferenceEquals(_entry, other._entry) && _leaseId == other._leaseId;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PooledConnection<TConnection> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_entry, _leaseId);

    /// <summary>Compares two leases.</summary>
    /// <param name="left">A lease.</param>
    /// <param name="right">Another lease.</param>
    /// <returns>True when both are the same lease of the same connection.</returns>
    public static bool operator ==(PooledConnection<TConnection> left, PooledConnection<TConnection> right) => left.Equals(right);

    /// <summary>Compares two leases.</summary>
    /// <param name="left">A lease.</param>
    /// <param name="right">Another lease.</param>
    /// <returns>True when they differ.</returns>
    public static bool operator !=(PooledConnection<TConnection> left, PooledConnection<TConnection> right) => !left.Equals(right);
}
