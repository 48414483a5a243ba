namespace Pool.Internal;

/// <summary>
/// When the fast-fail probe dials, as the shell chose it (its backoff) and told the state machine: the
/// timestamp its backoff ends, and the timestamp its <c>CreateTimeout</c> would abandon it
/// (long.MaxValue without one). What <see cref="PoolUnavailableException.RetryAfter"/> is computed from.
/// </summary>
internal readonly record struct ProbeSchedule(long DialsAt, long AnswerBy);
