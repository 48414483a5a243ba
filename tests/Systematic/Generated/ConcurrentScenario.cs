using FsCheck;
using FsCheck.Fluent;

namespace Pool.Tests.Systematic.Generated;

public enum CreateStep
{
    Ok,
    Throw,
    YieldThenOk,
    YieldThenThrow,
}

public enum ClientStep
{
    AcquireReturn,
    AcquireInvalidate,
    AcquireThenCancel,
    TryAcquireReturn,
}

/// <summary>A small concurrent scenario: pool size, a create fault script, and 2–4 clients of 1–3 steps each.</summary>
public sealed record ConcurrentScenario(int MaxSize, int MaxConcurrentCreates, CreateStep[] Creates, ClientStep[][] Clients)
{
    /// <summary>
    /// The backend this scenario scripts: each create follows <see cref="Creates"/> call by call (then
    /// succeeds); the "Yield" steps await Task.Yield once, so Coyote can interleave other work inside the create.
    /// </summary>
    public FakeFactory Factory() => new()
    {
        CreateScript = call => (call < Creates.Length ? Creates[call] : CreateStep.Ok) switch
        {
            CreateStep.Throw => FactoryStep.Throw(new InvalidOperationException($"scripted create failure (call {call})")),
            CreateStep.YieldThenOk => FactoryStep.Succeed.AfterYields(1),
            CreateStep.YieldThenThrow => FactoryStep.Throw(new InvalidOperationException($"scripted create failure (call {call})")).AfterYields(1),
            _ => FactoryStep.Succeed,
        },
    };

    public override string ToString() =>
        $"MaxSize={MaxSize} MaxConcurrentCreates={MaxConcurrentCreates} creates=[{string.Join(",", Creates)}] "
        + string.Join(" ", Clients.Select((c, i) => $"client{i}=[{string.Join(",", c)}]"));
}

public static class ConcurrentScenarioArbitrary
{
    public static Arbitrary<ConcurrentScenario> Scenario()
    {
        var client = Gen.Elements(Enum.GetValues<ClientStep>()).ArrayOf().Where(a => a.Length is >= 1 and <= 3);
        var gen =
            from max in Gen.Choose(1, 3)
            from mcc in Gen.Choose(1, 2)
            from creates in Gen.Elements(Enum.GetValues<CreateStep>()).ArrayOf().Select(a => a.Take(6).ToArray())
            from n in Gen.Choose(2, 4)
            from clients in client.ArrayOf(n)
            select new ConcurrentScenario(max, mcc, creates, clients);
        return Arb.From(gen, Shrink);
    }

    /// <summary>Fewer clients, fewer steps, simpler steps, fewer and simpler create faults, smaller pool.</summary>
    private static IEnumerable<ConcurrentScenario> Shrink(ConcurrentScenario s)
    {
        if (s.Clients.Length > 2)
        {
            for (int i = 0; i < s.Clients.Length; i++)
            {
                yield return s with { Clients = s.Clients.Where((_, j) => j != i).ToArray() };
            }
        }

        for (int i = 0; i < s.Clients.Length; i++)
        {
            if (s.Clients[i].Length > 1)
            {
                for (int k = 0; k < s.Clients[i].Length; k++)
                {
                    int ci = i, kk = k;
                    yield return s with { Clients = s.Clients.Select((c, j) => j == ci ? c.Where((_, x) => x != kk).ToArray() : c).ToArray() };
                }
            }
        }

        for (int k = 0; k < s.Creates.Length; k++)
        {
            int kk = k;
            yield return s with { Creates = s.Creates.Where((_, x) => x != kk).ToArray() };
        }

        if (s.MaxSize > 1)
        {
            yield return s with { MaxSize = s.MaxSize - 1 };
        }

        if (s.MaxConcurrentCreates > 1)
        {
            yield return s with { MaxConcurrentCreates = 1 };
        }
    }
}
