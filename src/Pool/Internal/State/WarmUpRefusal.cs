namespace Pool.Internal;

/// <summary>
/// Why a WarmUpAsync call fails at once: the pool is disposed (no cause), or the fast-fail window is
/// open (and when its probe dials, if known yet).
/// </summary>
internal readonly record struct WarmUpRefusal(Exception? UnavailableCause, int Failures, ProbeSchedule? Probe = null);
