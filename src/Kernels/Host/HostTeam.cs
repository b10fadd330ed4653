using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace GpuVae.Kernels.Host;

/// <summary>A part of a job split over <see cref="HostTeam"/>: the state is the caller's, passed by reference.</summary>
internal delegate void PartBody<TState>(ref TState state, int part);

/// <summary>
/// The host backend's threads: the calling thread plus one worker per other core, started once
/// and kept. A training step splits about 50 operations over the cores, each 5 to 700 us long,
/// and Parallel.For paid for each one twice: it wakes a sleeping pool thread (tens of
/// microseconds on these VMs) and allocates its closure and loop state (about 60 KB a step, so
/// a gen-0 collection every few steps). Here a worker spins for <see cref="SpinMilliseconds"/>
/// after each part, so the next operation of the step finds it awake, and a job is a
/// static lambda over a state struct on the caller's stack: nothing is allocated.
/// Each part goes to the same thread every time (part 0 to the caller, part i to worker i),
/// so the rows a core wrote in one operation are in its cache for the next that splits alike;
/// only a part its worker has not started by the time the caller finishes its own is the
/// caller's instead.
/// </summary>
internal static unsafe class HostTeam
{
    /// <summary>
    /// How long an idle worker spins before it sleeps: a step's gaps between parallel operations
    /// are microseconds, and the trainer's between steps well under a millisecond; a longer
    /// pause (evaluation's host work, a server waiting for a request) lets the core go.
    /// </summary>
    private const double SpinMilliseconds = 2;

    private static readonly long SpinTicks = (long)(SpinMilliseconds * Stopwatch.Frequency / 1000);

    /// <summary>Null until the first parallel job: a process that never splits work starts no thread.</summary>
    private static Worker[]? workers;

    /// <summary>1 while a caller owns the workers: a second caller (another test, a nested job) runs its parts itself.</summary>
    private static int busy;

    /// <summary>Threads a job can run on: this one and a worker for each other core.</summary>
    public static int Size { get; } = Environment.ProcessorCount;

    /// <summary>
    /// Runs body(ref state, part) for every part in [0, parts), parts at most <see cref="Size"/>,
    /// one per thread, and returns when all have finished. The state must live on the caller's
    /// stack (a local passed by reference): the workers reach it through its address.
    /// </summary>
    public static void Run<TState>(int parts, ref TState state, PartBody<TState> body)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parts, Size);
        if (parts <= 1 || Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            for (int part = 0; part < parts; part++)
            {
                body(ref state, part);
            }

            return;
        }

        try
        {
            var team = workers ??= StartWorkers();
            void* address = Unsafe.AsPointer(ref state);
            for (int part = 1; part < parts; part++)
            {
                team[part - 1].Post(&Invoke<TState>, address, body, part);
            }

            var failure = TryRun(ref state, body, 0);
            // Even when part 0 threw: the workers read the state until they finish. A part whose
            // worker has not started it (descheduled, or still waking) is the caller's to run:
            // on a busy machine waiting for that worker's next time slice costs milliseconds.
            for (int part = 1; part < parts; part++)
            {
                if (!team[part - 1].TryClaimPosted())
                {
                    team[part - 1].WaitUntilDone();
                    failure ??= team[part - 1].Failure;
                }
                else
                {
                    // Run even after an earlier part failed, as its worker would have: every part runs once.
                    var partFailure = TryRun(ref state, body, part);
                    failure ??= partFailure;
                }
            }

            failure?.Throw();
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>Runs one part on this thread; its exception, if it threw, to throw once every part has finished.</summary>
    private static ExceptionDispatchInfo? TryRun<TState>(ref TState state, PartBody<TState> body, int part)
    {
        try
        {
            body(ref state, part);
            return null;
        }
        catch (Exception exception)
        {
            return ExceptionDispatchInfo.Capture(exception);
        }
    }

    private static void Invoke<TState>(void* state, object body, int part) => ((PartBody<TState>)body)(ref Unsafe.AsRef<TState>(state), part);

    private static Worker[] StartWorkers() => [.. Enumerable.Range(1, Size - 1).Select(index => new Worker(index))];

    /// <summary>
    /// One worker thread and its mailbox. The caller writes the job, then publishes it by
    /// bumping <see cref="posted"/>; the worker runs it and publishes <see cref="done"/>. Only
    /// the team's owner posts, and only after the last job finished, so no field is ever
    /// written by two threads at once.
    /// </summary>
    private sealed class Worker
    {
        private readonly SemaphoreSlim wake = new(0);
        private delegate*<void*, object, int, void> invoke;
        private void* state;
        private object? body;
        private int part;
        private ExceptionDispatchInfo? failure;
        private long posted;
        private long claimed;
        private long done;

        /// <summary>1 while the worker sleeps on <see cref="wake"/> or is about to: whoever changes it to 0 owns the wake-up.</summary>
        private int sleeping;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"GpuVae host worker {index}" };
            thread.Start();
        }

        public void Post(delegate*<void*, object, int, void> job, void* jobState, object jobBody, int jobPart)
        {
            invoke = job;
            state = jobState;
            body = jobBody;
            part = jobPart;
            failure = null;
            Interlocked.Increment(ref posted);
            if (Interlocked.Exchange(ref sleeping, 0) == 1)
            {
                wake.Release();
            }
        }

        public void WaitUntilDone()
        {
            long job = Volatile.Read(ref posted);
            var spinner = default(SpinWait);
            while (Volatile.Read(ref done) != job)
            {
                // Never Sleep(1): a part is microseconds, and a millisecond's nap would cost more than it.
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }

        /// <summary>The exception the last job's part threw on this worker, if it did.</summary>
        public ExceptionDispatchInfo? Failure => failure;

        /// <summary>
        /// Takes the posted job for the caller unless the worker took it first: exactly one of
        /// them moves <see cref="claimed"/> from the previous job's number to this one's.
        /// </summary>
        public bool TryClaimPosted() => TryClaim(Volatile.Read(ref posted));

        private bool TryClaim(long job) => Interlocked.CompareExchange(ref claimed, job, job - 1) == job - 1;

        private void Loop()
        {
            long seen = 0;
            while (true)
            {
                seen = WaitForJob(seen);
                if (!TryClaim(seen))
                {
                    // The caller ran it: it no longer waits for this worker, and may already have posted the next job.
                    continue;
                }

                try
                {
                    invoke(state, body!, part);
                }
                catch (Exception exception)
                {
                    failure = ExceptionDispatchInfo.Capture(exception);
                }

                body = null;
                Volatile.Write(ref done, seen);
            }
        }

        /// <summary>Spins for <see cref="SpinMilliseconds"/>, then sleeps until the next job is posted; returns its number.</summary>
        private long WaitForJob(long seen)
        {
            long spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
            while (true)
            {
                long job = Volatile.Read(ref posted);
                if (job != seen)
                {
                    return job;
                }

                if (Stopwatch.GetTimestamp() < spinUntil)
                {
                    Thread.SpinWait(20);
                    continue;
                }

                Volatile.Write(ref sleeping, 1);
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref posted) != seen && Interlocked.Exchange(ref sleeping, 0) == 1)
                {
                    // The job came between the spin and the flag, and its poster saw no sleeper.
                    continue;
                }

                // Either the poster took the flag and released (or will), or nothing came yet.
                wake.Wait();
                spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
            }
        }
    }
}
