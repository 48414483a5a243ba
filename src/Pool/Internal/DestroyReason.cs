namespace Pool.Internal;

/// <summary>Why the pool destroys a connection; counted per reason in the statistics.</summary>
internal enum DestroyReason
{
    Invalidated,
    ValidationFailed,
    Idle,
    Expired,
    Cleared,
    Surplus,
    Disposed,
}
