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
public sealed class ReductionTests
{
    /// <summary>
    /// The group kernel's bits depend on the shape alone: one group striding over every column
    /// block, a few, and one per block all give the same sums.
    /// </summary>
    [Theory]
    [MemberData(nameof(Accelerators.IlgpuKinds), MemberType = typeof(Accelerators))]
    public void GroupKernelGivesTheSameBitsForAnyGrid(string kind)
    {
        var backend = Accelerators.GetIlgpu(kind);
        var kernel = backend.Accelerator.LoadStreamKernel<FloatView, FloatView, float, int, int>(Reductions.SumColumnsGroupKernel);
        var inputs = new RandomInputs();
        const int rows = 33, cols = 300;
        float[] x = inputs.Uniform(rows * cols);
        float alpha = inputs.Scalar();
        using var input = DeviceData.Upload(backend, x, rows, cols);
        float[]? first = null;
        foreach (int groups in new[] { 1, 3, (cols + Reductions.ColumnsPerGroup - 1) / Reductions.ColumnsPerGroup })
        {
            using var sums = DeviceData.Poisoned(backend, 1, cols);
            kernel(new KernelConfig(groups, Reductions.GroupSize), ((DeviceTensor)sums).View, ((DeviceTensor)input).View, alpha, rows, cols);
            float[] actual = DeviceData.Download(backend, sums);
            if (first is null)
            {
                float[] expected = new float[cols];
                Reductions.SumColumnsReference(expected, x, alpha, rows, cols);
                Compare.Within(expected, actual, KernelCases.ToleranceOf(OperationName.SumColumns), $"{kind} SumColumns group kernel, {groups} groups");
                first = actual;
            }
            else
            {
                Compare.Identical(first, actual, $"{kind} SumColumns group kernel, {groups} groups against 1");
            }
        }
    }
}
