using System.Diagnostics;

namespace GpuVae.Kernels.Benchmarks;

/// <summary>Median wall time of a backend operation: warm up, then time each repeat to a synchronize.</summary>
public static class Timing
{
    public static double MedianMilliseconds(IBackend backend, Action operation, int warmups, int repeats)
    {
        for (int i = 0; i < warmups; i++)
        {
            operation();
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
