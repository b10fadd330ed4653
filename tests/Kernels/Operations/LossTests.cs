using GpuVae.Kernels;
using GpuVae.Kernels.Ilgpu;
using GpuVae.Kernels.Operations;
using GpuVae.Kernels.Verification;
using GpuVae.Tests.Support;
using ILGPU;
using ILGPU.Runtime;
using Xunit;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;

namespace GpuVae.Tests.Kernels.Operations;

[Collection(nameof(AcceleratorCollection))]
public sealed class LossTests
{
    /// <summary>
    /// The group kernel's bits depend on the shape alone: one group striding over every image,
    /// a few, and one per image all give the same losses.
    /// </summary>
    [Theory]
    [MemberData(nameof(Accelerators.IlgpuKinds), MemberType = typeof(Accelerators))]
    public void BinaryCrossEntropyGroupKernelGivesTheSameBitsForAnyGrid(string kind)
    {
        var backend = Accelerators.GetIlgpu(kind);
        var kernel = backend.Accelerator.LoadStreamKernel<FloatView, FloatView, FloatView, int, int>(Losses.BinaryCrossEntropyGroupKernel);
        var inputs = new RandomInputs();
        const int rows = 9, cols = 300;
        float[] p = Probabilities(inputs, rows * cols);
        float[] t = inputs.Uniform(rows * cols, 0, 1);
        using var pIn = DeviceData.Upload(backend, p, rows, cols);
        using var tIn = DeviceData.Upload(backend, t, rows, cols);
        float[]? first = null;
        foreach (int groups in new[] { 1, 4, rows })
        {
            using var lossOut = DeviceData.Poisoned(backend, rows, 1);
            kernel(new KernelConfig(groups, Reductions.GroupSize), ((DeviceTensor)lossOut).View, ((DeviceTensor)pIn).View, ((DeviceTensor)tIn).View, rows, cols);
            float[] actual = DeviceData.Download(backend, lossOut);
            if (first is null)
            {
                float[] loss = new float[rows];
                Losses.BinaryCrossEntropyReference(loss, p, t, rows, cols);
                Compare.Within(loss, actual, KernelCases.ToleranceOf(OperationName.BceForward), $"{kind} BCE group kernel, {groups} groups");
                first = actual;
            }
            else
            {
                Compare.Identical(first, actual, $"{kind} BCE group kernel, {groups} groups against 1");
            }
        }
    }

    /// <summary>Uniform probabilities with exact 0s and 1s mixed in, so the clamp and its zero gradient are exercised.</summary>
    private static float[] Probabilities(RandomInputs inputs, int length)
    {
        float[] p = inputs.Uniform(length, 0, 1);
        for (int i = 0; i < length; i += 5)
        {
            p[i] = i % 10 == 0 ? 0 : 1;
        }

        return p;
    }
}
