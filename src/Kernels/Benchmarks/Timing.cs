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
        var warmup = Stopwatch.StartNew();
        var warmupTime = minimumWarmup ?? MinimumWarmup;
        for (int i = 0; i < warmups || warmup.Elapsed < warmupTime; i++)
        {
            operation();
            backend.Synchronize();
        }

        backend.Synchronize();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int launch = 0; launch < launchesPerSync; launch++)
            {
                operation();
            }

            backend.Synchronize();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds / launchesPerSync;
        }

        Array.Sort(times);
        return times[repeats / 2];
    }
}
