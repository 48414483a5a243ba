namespace Pool.Tests.Integration.Support;

/// <summary>
/// The error statuses Qdrant itself answers with (no replica to serve, an internal failure, a deadline on
/// the storage side, an unexpected error): answers over a healthy connection, which reach the caller and
/// evict nothing. One list, so every test of that rule covers the same answers.
/// </summary>
internal static class QdrantErrorAnswers
{
    public static TheoryData<StatusCode> All() =>
        new() { StatusCode.Unavailable, StatusCode.Internal, StatusCode.Unknown, StatusCode.DeadlineExceeded };
}
