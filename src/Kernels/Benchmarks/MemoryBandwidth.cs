namespace GpuVae.Kernels.Benchmarks;

/// <summary>
/// The backend's streaming bandwidth: a copy between two tensors far larger than any cache,
/// on every core the backend uses. The training step's floor holds its operations other than
/// GEMM to this rate, the fastest they could run were each of their bytes fetched from memory.
/// </summary>
public static class MemoryBandwidth
{
    /// <summary>Each of the two tensors: four times a 32 MiB L3, so the copy streams from memory.</summary>
    public const int Megabytes = 128;

    /// <summary>GB/s (10^9 bytes) read plus written, median of the repeats.</summary>
    public static double GigabytesPerSecond(Backend backend, int repeats = 10)
    {
        ArgumentNullException.ThrowIfNull(backend);
        const int Cols = 1024;
        const int Rows = Megabytes * 1024 * 1024 / sizeof(float) / Cols;
        using var source = backend.Allocate(Rows, Cols);
        using var destination = backend.Allocate(Rows, Cols);
        // Written once before timing, so no page is first touched inside a timed copy.
        backend.Fill(source, 1);
        backend.Fill(destination, 0);
        double ms = Timing.MedianMilliseconds(backend, () => backend.Copy(destination, source), warmups: 2, repeats, minimumWarmup: TimeSpan.Zero);
        // One read and one write of every byte.
        return 2.0 * source.Length * sizeof(float) / (ms * 1e6);
    }
}
