using Google.Protobuf.Collections;
using Grpc.Core;
using Qdrant.Client.Grpc;

namespace Pool.Qdrant.Testing.Internal;

/// <summary>One in-memory collection with a single unnamed dense vector per point, searched by brute force.</summary>
internal sealed class StandInCollection
{
    private readonly object _lock = new();
    private readonly Dictionary<PointId, StoredPoint> _points = []; // guarded by _lock
    private ulong _operationId;                                     // guarded by _lock

    public StandInCollection(VectorParams vectors)
    {
        Vectors = vectors.Clone();
    }

    public VectorParams Vectors { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _points.Count;
            }
        }
    }

    public ulong Upsert(IEnumerable<PointStruct> points)
    {
        var prepared = points.Select(p => new StoredPoint(p.Id.Clone(), Scoring.Prepare(Vectors.Distance, DenseOf(p.Vectors)), p.Payload)).ToList();
        lock (_lock)
        {
            foreach (var point in prepared)
            {
                _points[point.Id] = point;
            }

            return ++_operationId;
        }
    }

    public List<ScoredPoint> Nearest(IReadOnlyList<float> query, ulong limit, ulong offset, float? threshold, bool withPayload, bool withVectors)
    {
        var prepared = Scoring.Prepare(Vectors.Distance, CheckDimension(query));
        List<(StoredPoint Point, float Score)> scored;
        lock (_lock)
        {
            scored = _points.Values.Select(p => (p, Scoring.Score(Vectors.Distance, p.Vector, prepared))).ToList();
        }

        var passing = scored.Where(s => Scoring.Passes(Vectors.Distance, s.Score, threshold));
        var ranked = Scoring.SmallerIsBetter(Vectors.Distance)
            ? passing.OrderBy(s => s.Score).ThenBy(s => s.Point.Id, PointIdOrder.Instance)
            : passing.OrderByDescending(s => s.Score).ThenBy(s => s.Point.Id, PointIdOrder.Instance);
        return ranked.Skip(Clamp(offset)).Take(Clamp(limit)).Select(s => s.Point.ToScored(s.Score, withPayload, withVectors)).ToList();
    }

    /// <summary>A query without a vector lists points by id, as Qdrant's scroll-like query does.</summary>
    public List<ScoredPoint> ById(ulong limit, ulong offset, bool withPayload, bool withVectors)
    {
        StoredPoint[] points;
        lock (_lock)
        {
            points = [.. _points.Values];
        }

        // Sorted and turned into replies outside the lock (stored points are immutable), as Nearest does.
        return points.OrderBy(p => p.Id, PointIdOrder.Instance).Skip(Clamp(offset)).Take(Clamp(limit))
            .Select(p => p.ToScored(0, withPayload, withVectors)).ToList();
    }

    public List<RetrievedPoint> Get(IEnumerable<PointId> ids, bool withPayload, bool withVectors)
    {
        List<StoredPoint> found;
        lock (_lock)
        {
            found = ids.Where(_points.ContainsKey).Select(id => _points[id]).ToList();
        }

        return found.ConvertAll(p => p.ToRetrieved(withPayload, withVectors));
    }

    private float[] DenseOf(Vectors? vectors)
    {
        if (vectors?.VectorsOptionsCase != global::Qdrant.Client.Grpc.Vectors.VectorsOptionsOneofCase.Vector)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Wrong input: the stand-in supports one unnamed dense vector per point."));
        }

        // The .NET client sends `dense`; older clients send the deprecated `data`.
        var vector = vectors.Vector;
        return CheckDimension(vector.VectorCase == Vector.VectorOneofCase.Dense ? vector.Dense.Data : LegacyData(vector));
    }

    private static RepeatedField<float> LegacyData(Vector vector)
    {
#pragma warning disable CS0612 // Deprecated in the proto, still accepted by Qdrant.
        return vector.Data;
#pragma warning restore CS0612
    }

    private float[] CheckDimension(IReadOnlyList<float> vector)
    {
        if ((ulong)vector.Count != Vectors.Size)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Wrong input: Vector dimension error: expected dim: {Vectors.Size}, got {vector.Count}"));
        }

        return vector.ToArray();
    }

    private static int Clamp(ulong value) => value > int.MaxValue ? int.MaxValue : (int)value;

    private sealed record StoredPoint(PointId Id, float[] Vector, MapField<string, Value> Payload)
    {
        public ScoredPoint ToScored(float score, bool withPayload, bool withVectors)
        {
            var result = new ScoredPoint { Id = Id.Clone(), Score = score, Version = 0 };
            if (withPayload)
            {
                result.Payload.Add(Payload);
            }

            if (withVectors)
            {
                result.Vectors = Output();
            }

            return result;
        }

        public RetrievedPoint ToRetrieved(bool withPayload, bool withVectors)
        {
            var result = new RetrievedPoint { Id = Id.Clone() };
            if (withPayload)
            {
                result.Payload.Add(Payload);
            }

            if (withVectors)
            {
                result.Vectors = Output();
            }

            return result;
        }

        private VectorsOutput Output()
        {
            var dense = new DenseVector();
            dense.Data.Add(Vector);
            return new VectorsOutput { Vector = new VectorOutput { Dense = dense } };
        }
    }
}
