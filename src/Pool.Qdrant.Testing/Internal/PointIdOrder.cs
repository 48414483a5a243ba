using Qdrant.Client.Grpc;

namespace Pool.Qdrant.Testing.Internal;

/// <summary>Qdrant's id order: numeric ids first, ascending, then UUIDs.</summary>
internal sealed class PointIdOrder : IComparer<PointId>
{
    public static readonly PointIdOrder Instance = new();

    public int Compare(PointId? x, PointId? y)
    {
        if (x is null || y is null)
        {
            return (x is null).CompareTo(y is null);
        }

        bool xNum = x.PointIdOptionsCase == PointId.PointIdOptionsOneofCase.Num;
        bool yNum = y.PointIdOptionsCase == PointId.PointIdOptionsOneofCase.Num;
        if (xNum != yNum)
        {
            return xNum ? -1 : 1;
        }

        return xNum ? x.Num.CompareTo(y.Num) : string.CompareOrdinal(x.Uuid, y.Uuid);
    }
}
