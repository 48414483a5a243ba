namespace Pool.Tests.Systematic.Canaries;

/// <summary>The four pool bugs of shared/notes/invariants.md the canaries copy, one per canary.</summary>
internal enum CanaryBug
{
    /// <summary>Checks Total &lt; MaxSize under the lock, releases it, creates, then counts (BUG-291 #1): I1.</summary>
    CheckThenCreate,

    /// <summary>Reserves the slot, but a failed create never gives it back (BUG-291 #2): I2.</summary>
    SlotLeakOnFailedCreate,

    /// <summary>A waiter gives up by completing its task before leaving the queue; a return that then hands it a connection ignores the failed TrySetResult (npgsql #1788): I3.</summary>
    LostHandOffToDeadWaiter,

    /// <summary>A failed create frees its slot but never wakes the waiter behind it (database/sql #10886): I2/I4.</summary>
    NoWakeUpAfterFailedCreate,

    /// <summary>An acquirer cancelled during its check on borrow puts the connection back to idle at once, while ValidateAsync still runs (issue #12, item 1): I11.</summary>
    UncheckedReturnOnCancelledCheck,
}
