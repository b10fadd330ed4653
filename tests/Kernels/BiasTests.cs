using GpuVae.Kernels;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels;

[Collection(nameof(AcceleratorCollection))]
public sealed class BiasTests
{
    // One float addition per element, the same one the reference does: the results are identical.
    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void AddMatchesReference(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        foreach (var (rows, cols) in new[] { (1, 1), (7, 33), (33, 7), (128, 500), (1, 784) })
        {
            float[] y = inputs.Uniform(rows * cols);
            float[] bias = inputs.Uniform(cols);
            using var output = DeviceData.Upload(backend, y, rows, cols);
            using var bvec = DeviceData.Upload(backend, bias, 1, cols);
            backend.AddBias(output, bvec);
            Bias.AddReference(y, bias, rows, cols);
            Compare.Identical(y, DeviceData.Download(backend, output), $"{kind} AddBias ({rows}, {cols})");
        }
    }
}
