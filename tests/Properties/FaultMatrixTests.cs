namespace Pool.Tests.Properties;

public enum Fault
{
    Ok,
    Throw,
    Slow,
    Never,
}

/// <summary>
/// Issue 5, part 2: all 64 combinations of {ok, throw, slow, never} for create, validate and destroy,
/// each driven by generated workloads. Throughout: the invariants (Total ≤ Ceiling among them). At the
/// end, after dispose: nothing idle, in use, creating or queued; every acquire completed; the only
/// connections left are those whose destroy never returns (still counted in Destroying), and the only
/// creates left are those that never return (counted as Abandoned).
/// </summary>
public sealed class FaultMatrixTests(ITestOutputHelper output)
{
    public const int WorkloadsPerCombination = 4;

    public static TheoryData<Fault, Fault, Fault> Combinations()
    {
        var data = new TheoryData<Fault, Fault, Fault>();
        foreach (var c in Enum.GetValues<Fault>())
        {
            foreach (var v in Enum.GetValues<Fault>())
            {
                foreach (var d in Enum.GetValues<Fault>())
                {
                    data.Add(c, v, d);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void EveryFaultCombination_StaysWithinCapacity_AndLeaksNothing(Fault create, Fault validate, Fault destroy)
    {
        var workloads = Gen.Choose(0, 9999).ArrayOf().Select(a => a.Take(30).ToArray()).ToArbitrary();
        int runs = 0;
        var property = Prop.ForAll(workloads, ops =>
        {
            runs++;
            string? failure = Run(create, validate, destroy, ops);
            return (failure is null).Label($"create={create} validate={validate} destroy={destroy}: {failure}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(WorkloadsPerCombination), property);
        output.WriteLine($"create={create} validate={validate} destroy={destroy}: {runs} workloads passed");
    }

    private static string? Run(Fault createFault, Fault validateFault, Fault destroyFault, int[] ops)
    {
        var time = new SteppedClock();
        var factory = new FakeFactory
        {
            Clock = time,
            CreateScript = _ => Step(createFault, TimeSpan.FromMilliseconds(1500), "create fault"),
            ValidateScript = _ => Step(validateFault, TimeSpan.FromMilliseconds(1500), "validate fault"),
            DestroyScript = _ => Step(destroyFault, TimeSpan.FromMilliseconds(300), "destroy fault"),
        };
        var pool = new ConnectionPool<TestConnection>(factory, new ConnectionPoolOptions
        {
            MaxSize = 2,
            MinSize = 1,
            MaxConcurrentCreates = 2,
            AcquireTimeout = TimeSpan.FromSeconds(2),
            ValidateAfterIdle = TimeSpan.Zero,
            ValidationTimeout = TimeSpan.FromSeconds(1),
            CreateTimeout = TimeSpan.FromSeconds(1),
            DisposeTimeout = TimeSpan.FromSeconds(5),
            MaintenanceInterval = Timeout.InfiniteTimeSpan,
            FailFastAfter = 3,
            TimeProvider = time,
            Random = new FixedRandom(0.5),
        });
        var acquires = new List<Task<PooledConnection<TestConnection>>>();
        var tokens = new List<CancellationTokenSource>();
        var log = new List<string>();
        string? Check(string step)
        {
            var s = pool.GetStatistics();
            return PoolInvariants.FindViolation(s) is { } v ? $"after {step} ({string.Join(", ", log)}): {v}" : null;
        }

        string? Settle(string step)
        {
            // No model here: wait (bounded spin, no sleep) until nothing moved for a while, checking the invariants on every sample.
            string? failure = null;
            int still = 0;
            object? last = null;
            Waits.Spin(
                () =>
                {
                    var now = (pool.GetStatistics(), factory.Live, acquires.Count(a => a.IsCompleted), time.NextDue());
                    failure = Check(step);
                    still = Equals(now, last) && ThreadPool.PendingWorkItemCount == 0 ? still + 1 : 0;
                    last = now;
                    return failure is not null || still >= 50;
                },
                TimeSpan.FromSeconds(5));
            return failure;
        }

        void Advance(long ms)
        {
            long target = time.GetTimestamp() + (ms * TimeSpan.TicksPerMillisecond);
            while (time.NextDue() is { } due && due <= target)
            {
                time.FireNext();
                Settle("timer");
            }

            time.SetNow(target);
        }

        foreach (int c in ops)
        {
            int kind = c % 10, arg = c / 10;
            string step;
            var leases = acquires.Where(a => a.IsCompletedSuccessfully && a.Result.IsActive).ToList();
            if (kind < 4 || (kind < 7 && leases.Count == 0) || (kind == 9 && tokens.Count == 0))
            {
                var cts = new CancellationTokenSource();
                tokens.Add(cts);
                acquires.Add(pool.AcquireAsync((arg % 3) switch { 0 => TimeSpan.FromMilliseconds(500), 1 => TimeSpan.FromSeconds(2), _ => Timeout.InfiniteTimeSpan }, cts.Token).AsTask());
                step = "acquire";
            }
            else if (kind < 7)
            {
                var lease = leases[arg % leases.Count].Result;
                if (kind == 6)
                {
                    lease.Invalidate();
                }

                lease.Dispose();
                step = kind == 6 ? "invalidate" : "return";
            }
            else if (kind < 9)
            {
                Advance((arg % 3) switch { 0 => 100, 1 => 700, _ => 2000 });
                step = "advance";
            }
            else
            {
                tokens[arg % tokens.Count].Cancel();
                step = "cancel";
            }

            log.Add(step);
            if (Settle(step) is { } failure)
            {
                return failure;
            }
        }

        // Every acquire must complete: cancel the waiting ones (infinite timeouts), then dispose and return everything.
        foreach (var cts in tokens)
        {
            cts.Cancel();
        }

        var dispose = pool.DisposeAsync().AsTask();
        Settle("dispose");
        foreach (var a in acquires.Where(a => a.IsCompletedSuccessfully))
        {
            a.Result.Dispose();
        }

        // Eventually (bounded: 60 s of real time, a limit for a broken pool only, time advanced a second per round): everything ends.
        var problems = new List<string>();
        Waits.Spin(
            () =>
            {
                foreach (var a in acquires.Where(a => a.IsCompletedSuccessfully))
                {
                    a.Result.Dispose();
                }

                problems = EndProblems(pool.GetStatistics(), factory, acquires, dispose);
                if (problems.Count == 0)
                {
                    return true;
                }

                Advance(1000);
                return false;
            },
            TimeSpan.FromSeconds(60));

        return problems.Count == 0 ? Check("end") : $"after ({string.Join(", ", log)}): {string.Join("; ", problems)}";
    }

    /// <summary>
    /// One fault per call kind. Slow calls complete on the test's clock (create 1.5 s, past CreateTimeout;
    /// validate 1.5 s, past ValidationTimeout; destroy 0.3 s); Never calls never complete and ignore their
    /// token: a connection whose validation never returns stays with that check (in InUse) for good, and
    /// destroying it is an overlap (I11).
    /// </summary>
    private static FactoryStep Step(Fault fault, TimeSpan slow, string error) => fault switch
    {
        Fault.Throw => FactoryStep.Throw(new InvalidOperationException(error)),
        Fault.Slow => FactoryStep.Succeed.After(slow),
        Fault.Never => FactoryStep.Never,
        _ => FactoryStep.Succeed,
    };

    private static List<string> EndProblems(PoolStatistics end, FakeFactory factory, List<Task<PooledConnection<TestConnection>>> acquires, Task dispose)
    {
        var problems = new List<string>();
        if (acquires.Any(a => !a.IsCompleted))
        {
            problems.Add($"{acquires.Count(a => !a.IsCompleted)} acquires never completed");
        }

        foreach (var a in acquires.Where(a => a.IsFaulted))
        {
            if (a.Exception!.InnerException is not (PoolExhaustedException or ConnectionCreateException or PoolUnavailableException or ObjectDisposedException or OperationCanceledException))
            {
                problems.Add($"unexpected {a.Exception.InnerException!.GetType().Name}: {a.Exception.InnerException.Message}");
            }
        }

        foreach (string overlap in factory.Overlaps)
        {
            problems.Add($"I11 One call at a time per connection violated: {overlap}");
        }

        // A validation that never returns keeps its connection in InUse for good (I11).
        if (end.Idle != 0 || end.InUse != factory.NeverValidations || end.Creating != 0 || end.Waiters != 0)
        {
            problems.Add($"not drained: idle {end.Idle}, in use {end.InUse} (validations that never return {factory.NeverValidations}), creating {end.Creating}, waiters {end.Waiters}");
        }

        // Left over may be only what never returns: destroys (in Destroying, or in Abandoned for a late
        // connection of an abandoned create) and creates (in Abandoned).
        if (factory.Live != factory.NeverDestroys + factory.NeverValidations || end.Destroying + end.Abandoned != factory.NeverDestroys + factory.NeverCreates)
        {
            problems.Add($"leak: destroying {end.Destroying}, abandoned {end.Abandoned}, factory live {factory.Live}, "
                + $"destroys that never return {factory.NeverDestroys}, creates that never return {factory.NeverCreates}");
        }

        if (!dispose.IsCompleted)
        {
            problems.Add("DisposeAsync did not complete (DisposeTimeout is 5 s)");
        }

        return problems;
    }
}
