using System.Diagnostics;

namespace GpuVae.Kernels.Benchmarks;

/// <summary>Median wall time of a backend operation: warm up, then time each repeat to a synchronize.</summary>
public static class Timing
{
    /// <summary>
    /// .NET first runs unoptimized code and recompiles a method after ~30 calls, in the
    /// background: warming up for at least this long makes the timed repeats run the final code.
    /// </summary>
    private static readonly TimeSpan MinimumWarmup = TimeSpan.FromMilliseconds(300);

    public static double MedianMilliseconds(IBackend backend, Action operation, int warmups, int repeats)
    {
        var warmup = Stopwatch.StartNew();
        for (int i = 0; i < warmups || warmup.Elapsed < MinimumWarmup; i++)
        {
            operation();
            backend.Synchronize();
        }

        backend.Synchronize();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            operation();
            backend.Synchronize();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return times[repeats / 2];
    }
}
