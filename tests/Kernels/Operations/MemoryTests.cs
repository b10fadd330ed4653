using GpuVae.Kernels;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels.Operations;

[Collection(nameof(AcceleratorCollection))]
public sealed class MemoryTests
{
    private static readonly (int Rows, int Cols)[] Shapes = [(1, 1), (7, 33), (33, 7), (128, 784)];

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void AllocateIsZeroAndUploadDownloadRoundTrips(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        foreach (var (rows, cols) in Shapes)
        {
            using var tensor = backend.Allocate(rows, cols);
            Compare.Identical(new float[rows * cols], DeviceData.Download(backend, tensor), $"{kind} Allocate ({rows}, {cols})");
            float[] x = inputs.Uniform(rows * cols);
            backend.Upload(tensor, x);
            Compare.Identical(x, DeviceData.Download(backend, tensor), $"{kind} round trip ({rows}, {cols})");
        }
    }

    /// <summary>40 GB on a machine with less: a clear message with the size, not a crash.</summary>
    [Fact]
    public void AnAllocationBeyondTheDeviceSaysHowMuchWasAskedFor()
    {
        var backend = Accelerators.Get("cpu");
        var error = Assert.Throws<GpuVae.Kernels.Ilgpu.DeviceMemoryException>(() => backend.Allocate(200_000, 50_000));
        Assert.Contains("(200000, 50000)", error.Message, StringComparison.Ordinal);
        Assert.Contains("40,000,000,000 bytes", error.Message, StringComparison.Ordinal);
    }
}
