namespace GpuVae.Kernels.Host;

/// <summary>
/// Splits elementwise work over the cores only when it pays: below ~32k elements a
/// Parallel.For costs more in scheduling than it saves on our 2-core machines.
/// </summary>
public static class HostParallel
{
    private const int MinimumElementsPerChunk = 32 * 1024;

    /// <summary>Calls body(start, end) over [0, length) in contiguous, 64-aligned chunks.</summary>
    public static void For(int length, Action<int, int> body)
    {
        int chunks = Math.Clamp(length / MinimumElementsPerChunk, 1, Environment.ProcessorCount);
        if (chunks == 1)
        {
            body(0, length);
            return;
        }

        // ceil(length / chunks), not floor: 65537 elements in two floor-sized chunks of 32768
        // (already a multiple of 64) left element 65536 to no one. In long, so that lengths
        // near int.MaxValue cannot overflow.
        long chunk = ((((long)length + chunks - 1) / chunks) + 63) & ~63L;
        Parallel.For(0, chunks, c =>
        {
            long start = c * chunk;
            long end = Math.Min(length, start + chunk);
            if (start < end)
            {
                body((int)start, (int)end);
            }
        });
    }
}
