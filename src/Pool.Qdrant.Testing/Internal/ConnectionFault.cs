namespace Pool.Qdrant.Testing.Internal;

/// <summary>
/// What happens to every call on one faulted connection, health checks included: held for
/// <see cref="Latency"/> first, then, if <see cref="Hang"/>, until the call ends (its deadline, its
/// cancellation, or the connection's death), as on a black-holed or overloaded path.
/// </summary>
internal sealed record ConnectionFault(TimeSpan Latency, bool Hang);
