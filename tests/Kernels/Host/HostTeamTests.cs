using GpuVae.Kernels.Host;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels.Host;

/// <summary>
/// HostTeam: every part runs once, part 0 on the caller and the others each on its own thread
/// when they run at once; a part its worker has not started when the caller is done with its
/// own runs on the caller; a part's exception reaches the caller; a team that is busy (a nested
/// job, another caller) runs the parts on the calling thread; a worker that has gone to sleep
/// wakes for the next job.
/// </summary>
[Collection(nameof(AloneCollection))]
public sealed class HostTeamTests
{
    [Fact]
    public void EveryPartRunsOnceOnItsOwnThreadAndPartZeroOnTheCaller()
    {
        int parts = HostTeam.Size;
        // Every part waits for all the others to have started, so none can be left to the caller.
        var state = (Record: new Record(parts), AllStarted: new Barrier(parts));
        HostTeam.Run(parts, ref state, static (ref state, part) =>
        {
            state.Record.Visit(part);
            state.AllStarted.SignalAndWait();
        });

        Assert.All(state.Record.Visits, count => Assert.Equal(1, count));
        Assert.Equal(Environment.CurrentManagedThreadId, state.Record.Threads[0]);
        Assert.Equal(parts, state.Record.Threads.Distinct().Count());
    }

    [Fact]
    public void APartItsWorkerHasNotStartedRunsOnTheCaller()
    {
        if (HostTeam.Size < 2)
        {
            return;
        }

        // A sleeping worker takes tens of microseconds to wake, and the caller's own part is
        // empty: the caller finishes first and takes the worker's part nearly every time.
        int takenByCaller = 0;
        for (int round = 0; round < 20; round++)
        {
            Thread.Sleep(20);
            var state = new Record(HostTeam.Size);
            HostTeam.Run(HostTeam.Size, ref state, static (ref state, part) => state.Visit(part));
            Assert.All(state.Visits, count => Assert.Equal(1, count));
            takenByCaller += state.Threads.Skip(1).Count(thread => thread == Environment.CurrentManagedThreadId);
        }

        Assert.True(takenByCaller > 0, "in 20 jobs after a sleep, no worker's part ran on the caller");
    }

    [Fact]
    public void AWorkerPartsExceptionReachesTheCallerAfterEveryPartFinished()
    {
        if (HostTeam.Size < 2)
        {
            return;
        }

        var state = new Record(HostTeam.Size);
        var error = Assert.Throws<InvalidOperationException>(() => HostTeam.Run(HostTeam.Size, ref state, static (ref state, part) =>
        {
            state.Visit(part);
            if (part == 1)
            {
                throw new InvalidOperationException("part 1 failed");
            }
        }));

        Assert.Equal("part 1 failed", error.Message);
        Assert.All(state.Visits, count => Assert.Equal(1, count));
        AssertTeamStillWorks();
    }

    [Fact]
    public void ThePartOfTheCallerThrowsOnlyOnceTheWorkersHaveFinished()
    {
        var state = new Record(HostTeam.Size);
        Assert.Throws<InvalidOperationException>(() => HostTeam.Run(HostTeam.Size, ref state, static (ref state, part) =>
        {
            if (part == 0)
            {
                throw new InvalidOperationException("part 0 failed");
            }

            Thread.Sleep(50);
            state.Visit(part);
        }));

        // The workers' parts were done when Run returned: nothing is still writing the state.
        Assert.All(state.Visits.Skip(1), count => Assert.Equal(1, count));
        AssertTeamStillWorks();
    }

    [Fact]
    public void ANestedJobRunsOnTheThreadThatStartedIt()
    {
        var state = new Record(HostTeam.Size * HostTeam.Size);
        HostTeam.Run(HostTeam.Size, ref state, static (ref outer, part) =>
        {
            var inner = (Record: outer, Part: part, Thread: Environment.CurrentManagedThreadId);
            HostTeam.Run(HostTeam.Size, ref inner, static (ref inner, innerPart) =>
            {
                Assert.Equal(inner.Thread, Environment.CurrentManagedThreadId);
                inner.Record.Visit((inner.Part * HostTeam.Size) + innerPart);
            });
        });

        Assert.All(state.Visits, count => Assert.Equal(1, count));
    }

    [Fact]
    public void CallersOnManyThreadsEachGetEveryPartDone()
    {
        var records = Enumerable.Range(0, 8).Select(_ => new Record(HostTeam.Size)).ToArray();
        Parallel.ForEach(records, record =>
        {
            for (int repeat = 0; repeat < 200; repeat++)
            {
                var state = record;
                HostTeam.Run(HostTeam.Size, ref state, static (ref state, part) => state.Visit(part));
            }
        });

        Assert.All(records, record => Assert.All(record.Visits, count => Assert.Equal(200, count)));
    }

    [Fact]
    public void ASleepingWorkerWakesForTheNextJob()
    {
        for (int round = 0; round < 3; round++)
        {
            // Longer than a worker spins: it has gone to sleep when the job comes.
            Thread.Sleep(20);
            AssertTeamStillWorks();
        }
    }

    [Fact]
    public void MorePartsThanThreadsAreRefused()
    {
        var state = new Record(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => HostTeam.Run(HostTeam.Size + 1, ref state, static (ref _, _) => { }));
    }

    private static void AssertTeamStillWorks()
    {
        var state = new Record(HostTeam.Size);
        HostTeam.Run(HostTeam.Size, ref state, static (ref state, part) => state.Visit(part));
        Assert.All(state.Visits, count => Assert.Equal(1, count));
    }

    /// <summary>How often each part ran, and on which thread it last ran.</summary>
    private sealed class Record(int parts)
    {
        public int[] Visits { get; } = new int[parts];

        public int[] Threads { get; } = new int[parts];

        public void Visit(int part)
        {
            Interlocked.Increment(ref Visits[part]);
            Threads[part] = Environment.CurrentManagedThreadId;
        }
    }
}
