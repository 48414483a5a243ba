using Qdrant.Client.Grpc;

namespace Pool.Qdrant.Testing.Internal;

/// <summary>Exact scores as Qdrant reports them, and the order in which it ranks them.</summary>
internal static class Scoring
{
    /// <summary>Cosine collections store unit vectors: Qdrant normalizes on upsert and on query.</summary>
    public static float[] Prepare(Distance distance, IReadOnlyList<float> vector)
    {
        var copy = vector.ToArray();
        if (distance != Distance.Cosine)
        {
            return copy;
        }

        double norm = Math.Sqrt(copy.Sum(x => (double)x * x));
        if (norm > 0)
        {
            for (int i = 0; i < copy.Length; i++)
            {
                copy[i] = (float)(copy[i] / norm);
            }
        }

        return copy;
    }

    /// <summary>Cosine and Dot: the dot product (of unit vectors for Cosine). Euclid and Manhattan: the distance.</summary>
    public static float Score(Distance distance, float[] stored, float[] query)
    {
        double sum = 0;
        for (int i = 0; i < stored.Length; i++)
        {
            double d = stored[i] - query[i];
            sum += distance switch
            {
                Distance.Euclid => d * d,
                Distance.Manhattan => Math.Abs(d),
                _ => (double)stored[i] * query[i],
            };
        }

        return (float)(distance == Distance.Euclid ? Math.Sqrt(sum) : sum);
    }

    /// <summary>Distances rank ascending (nearest first); similarities descending.</summary>
    public static bool SmallerIsBetter(Distance distance) => distance is Distance.Euclid or Distance.Manhattan;

    /// <summary>Whether a score passes Qdrant's score_threshold (a maximum for distances).</summary>
    public static bool Passes(Distance distance, float score, float? threshold) =>
        threshold is not { } limit || (SmallerIsBetter(distance) ? score <= limit : score >= limit);
}
