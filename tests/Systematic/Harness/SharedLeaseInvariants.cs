namespace Pool.Tests.Systematic.Harness;

/// <summary>
/// The names of the shared-lease invariants the harness checks (issue #13), in the form bug reports use.
/// </summary>
internal static class SharedLeaseInvariants
{
    public const string LeasesPerConnection = "Leases per connection";

    public const string LeaseCount = "Lease count";

    public const string NoLeaseOnUnusableConnection = "No lease on an unusable connection";

    public const string FifoPerLease = "FIFO per lease";
}
