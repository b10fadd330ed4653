using GpuVae.Kernels;

namespace GpuVae.Tests.Support;

/// <summary>Moves test data onto and off a backend.</summary>
public static class DeviceData
{
    public static Tensor Upload(IBackend backend, float[] values, int rows, int cols)
    {
        var tensor = backend.Allocate(rows, cols);
        backend.Upload(tensor, values);
        return tensor;
    }

    /// <summary>An output filled with NaN, so any element the kernel fails to write fails the comparison.</summary>
    public static Tensor Poisoned(IBackend backend, int rows, int cols)
    {
        var tensor = backend.Allocate(rows, cols);
        backend.Upload(tensor, Enumerable.Repeat(float.NaN, rows * cols).ToArray());
        return tensor;
    }

    public static float[] Download(IBackend backend, Tensor tensor)
    {
        var values = new float[tensor.Length];
        backend.Download(tensor, values);
        return values;
    }
}
