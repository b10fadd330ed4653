using GpuVae.Kernels;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels.Operations;

[Collection(nameof(AcceleratorCollection))]
public sealed class AdamTests
{
    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void BlocksOfDifferentShapesAreRejected(string kind)
    {
        var backend = Accelerators.Get(kind);
        using var weightAndBias = backend.AllocateBlock([(7, 33), (1, 33)]);
        using var transposed = backend.AllocateBlock([(33, 7), (1, 33)]);
        using var values = DeviceData.UploadAdam(backend, AdamStep.Default(1e-3f, 1));
        var error = Assert.Throws<ArgumentException>(
            () => backend.AdamUpdate(weightAndBias, weightAndBias, transposed, weightAndBias, values));
        Assert.Contains("(33, 7)", error.Message, StringComparison.Ordinal);
    }
}
