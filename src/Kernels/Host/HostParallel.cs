namespace GpuVae.Kernels.Host;

/// <summary>
/// Splits elementwise work over the cores only when it pays: below ~32k elements a
/// Parallel.For costs more in scheduling than it saves on our 2-core machines, for the
/// memory-bound operations; costlier ones (dropout's hashing) pass a smaller minimum.
/// </summary>
internal static class HostParallel
{
    private const int MinimumElementsPerChunk = 32 * 1024;

    /// <summary>Calls body(start, end) over [0, length) in contiguous, 64-aligned chunks.</summary>
    public static void For(int length, Action<int, int> body) => For(length, MinimumElementsPerChunk, body);

    /// <summary>
    /// Calls body(start, end) over [0, length) in contiguous, 64-aligned chunks of at least
    /// minimumElementsPerChunk elements: smaller for operations that cost more per element.
    /// </summary>
    public static void For(int length, int minimumElementsPerChunk, Action<int, int> body)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minimumElementsPerChunk);
        int chunks = Math.Clamp(length / minimumElementsPerChunk, 1, Environment.ProcessorCount);
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
