using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels;

/// <summary>
/// Backend.UploadShared, how the trainer hands the backend its training set: the values come
/// back as given on every accelerator, the host keeps the caller's array rather than a second
/// copy, and a wrong length is refused naming both sizes.
/// </summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class SharedUploadTests
{
    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void TheValuesComeBackAsGiven(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        float[] values = inputs.Uniform(7 * 33);
        using var tensor = backend.UploadShared(values, 7, 33);
        Assert.Equal((7, 33), (tensor.Rows, tensor.Cols));
        Compare.Identical(values, DeviceData.Download(backend, tensor), $"{kind} (seed {inputs.Seed})");
    }

    [Fact]
    public void TheHostKeepsTheCallersArray()
    {
        using var backend = new HostBackend();
        float[] values = new RandomInputs().Uniform(3 * 5);
        using var tensor = backend.UploadShared(values, 3, 5);
        Assert.Same(values, ((HostTensor)tensor).Data);
    }

    [Fact]
    public void AWrongLengthIsRefused()
    {
        using var backend = new HostBackend();
        var error = Assert.Throws<ArgumentException>(() => backend.UploadShared(new float[14], 3, 5));
        Assert.Contains("14", error.Message, StringComparison.Ordinal);
        Assert.Contains("15", error.Message, StringComparison.Ordinal);
    }
}
