using GpuVae.Kernels;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels;

[Collection(nameof(AcceleratorCollection))]
public sealed class AdamTests
{
    // The kernel updates in float and takes its bias corrections from float pow, the reference
    // works in double: moments and parameters agree to a few ulp of their size (1e-5 relative)
    // plus 1e-7 absolute, a ten-thousandth of a 1e-3 learning rate.
    private static readonly Tolerance Update = new(1e-7, 1e-5);

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void UpdateMatchesReference(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        foreach (var (rows, cols, stepNumber) in new[] { (1, 1, 1L), (7, 33, 2L), (784, 500, 1000L) })
        {
            var step = AdamStep.Default(1e-3f, stepNumber);
            float[] parameters = inputs.Uniform(rows * cols);
            float[] m = inputs.Uniform(rows * cols, -0.1f, 0.1f);
            float[] v = inputs.Uniform(rows * cols, 0, 0.01f);
            float[] g = inputs.Uniform(rows * cols);
            using var pDevice = DeviceData.Upload(backend, parameters, rows, cols);
            using var mDevice = DeviceData.Upload(backend, m, rows, cols);
            using var vDevice = DeviceData.Upload(backend, v, rows, cols);
            using var gDevice = DeviceData.Upload(backend, g, rows, cols);
            Adam.UpdateReference(parameters, m, v, g, step, parameters.Length);
            backend.AdamUpdate(pDevice, mDevice, vDevice, gDevice, step);
            string what = $"{kind} Adam ({rows}, {cols}) step {stepNumber}";
            Compare.AllClose(m, DeviceData.Download(backend, mDevice), Update, $"{what} m");
            Compare.AllClose(v, DeviceData.Download(backend, vDevice), Update, $"{what} v");
            Compare.AllClose(parameters, DeviceData.Download(backend, pDevice), Update, $"{what} parameters");
        }
    }
}
