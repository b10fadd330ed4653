using System.Diagnostics;

namespace GpuVae.Kernels.Benchmarks;

/// <summary>
/// The process's peak resident memory (Linux's VmHWM), with a way to start it over: bench's
/// kernel check and bandwidth test hold hundreds of megabytes the training step never needs, so
/// the step's peak is read from a mark set after the one and before the other.
/// </summary>
public static class PeakWorkingSet
{
    /// <summary>
    /// Returns memory the collector holds but no longer uses, then sets the peak to what is
    /// resident now (writing 5 to /proc/self/clear_refs); false where the system cannot.
    /// </summary>
    public static bool Restart()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The highest resident set since the process started or the last <see cref="Restart"/>, in bytes.</summary>
    public static long Bytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
