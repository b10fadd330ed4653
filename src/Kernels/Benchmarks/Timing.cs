using System.Diagnostics;

namespace GpuVae.Kernels.Benchmarks;

/// <summary>Median wall time of a backend operation: warm up, then time each repeat to a synchronize.</summary>
public static class Timing
{
    /// <summary>
    /// .NET first runs unoptimized code and recompiles a method after ~30 calls, in the
    /// background: warming up for at least this long makes the timed repeats run the final code.
    /// </summary>
    public static TimeSpan MinimumWarmup { get; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// The median over repeats of the time per operation when <paramref name="launchesPerSync"/>
    /// operations are queued back to back before each synchronize. With one, a repeat is a
    /// call's whole latency, launch and synchronize included; with more, a device that runs
    /// ahead of its host shows its throughput, what a training step's back-to-back launches see.
    /// The warm-up lasts <paramref name="warmups"/> calls and at least <paramref name="minimumWarmup"/>
    /// (<see cref="MinimumWarmup"/> when null).
    /// </summary>
    public static double MedianMilliseconds(Backend backend, Action operation, int warmups, int repeats, int launchesPerSync = 1, TimeSpan? minimumWarmup = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repeats);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(launchesPerSync);
        WarmUp(backend, operation, warmups, minimumWarmup);
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            times[i] = Repeat(backend, operation, launchesPerSync);
        }

        return Median(times);
    }

    /// <summary>
    /// <see cref="MedianMilliseconds"/> of two operations, each repeat timing the first and then
    /// the second: what drifts during the run (clocks, temperature, other work on the machine)
    /// falls on both alike, so their ratio is fair where two separate runs' might not be.
    /// </summary>
    public static (double First, double Second) AlternatingMedianMilliseconds(
        Backend backend, Action first, Action second, int warmups, int repeats, int launchesPerSync = 1, TimeSpan? minimumWarmup = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repeats);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(launchesPerSync);
        WarmUp(backend, () =>
        {
            first();
            second();
        }, warmups, minimumWarmup);
        var firstTimes = new double[repeats];
        var secondTimes = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            firstTimes[i] = Repeat(backend, first, launchesPerSync);
            secondTimes[i] = Repeat(backend, second, launchesPerSync);
        }

        return (Median(firstTimes), Median(secondTimes));
    }

    private static void WarmUp(Backend backend, Action operation, int warmups, TimeSpan? minimumWarmup)
    {
        var warmup = Stopwatch.StartNew();
        var warmupTime = minimumWarmup ?? MinimumWarmup;
        for (int i = 0; i < warmups || warmup.Elapsed < warmupTime; i++)
        {
            operation();
            backend.Synchronize();
        }

        backend.Synchronize();
    }

    /// <summary>Milliseconds per operation of <paramref name="launchesPerSync"/> queued and then synchronized.</summary>
    private static double Repeat(Backend backend, Action operation, int launchesPerSync)
    {
        long start = Stopwatch.GetTimestamp();
        for (int launch = 0; launch < launchesPerSync; launch++)
        {
            operation();
        }

        backend.Synchronize();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds / launchesPerSync;
    }

    private static double Median(double[] times)
    {
        Array.Sort(times);
        return times[times.Length / 2];
    }
}
