namespace Pool.Internal;

/// <summary>Why a WarmUpAsync call fails at once: the pool is disposed (no cause), or the fast-fail window is open.</summary>
internal readonly record struct WarmUpRefusal(Exception? UnavailableCause, int Failures);
