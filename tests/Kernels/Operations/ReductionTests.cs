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
    /// <summary>The operations with a <see cref="ReductionVariant.PerGroup"/> kernel.</summary>
    private static readonly string[] GroupKernelOperations = [OperationName.SumColumns, OperationName.BceForward];

    public static TheoryData<string, string> GroupKernels()
    {
        var data = new TheoryData<string, string>();
        foreach (string kind in Accelerators.IlgpuNames)
        {
            foreach (string operation in GroupKernelOperations)
            {
                data.Add(kind, operation);
            }
        }

        return data;
    }

    /// <summary>
    /// A group kernel's bits depend on the shape alone: one group striding over every item (a
    /// block of columns, an image), three, and one per item all give the same sums, the first
    /// within the operation's tolerance of the reference.
    /// </summary>
    [Theory]
    [MemberData(nameof(GroupKernels))]
    public void GroupKernelGivesTheSameBitsForAnyGrid(string kind, string operation)
    {
        var backend = Accelerators.GetIlgpu(kind);
        var inputs = new RandomInputs();
        var (expected, items, run) = operation switch
        {
            OperationName.SumColumns => SumColumns(backend, inputs),
            OperationName.BceForward => BinaryCrossEntropy(backend, inputs),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "no group kernel"),
        };
        float[]? first = null;
        foreach (int groups in new[] { 1, 3, items })
        {
            float[] actual = run(new KernelConfig(groups, Reductions.GroupSize));
            string what = $"{kind} {operation} group kernel, {groups} groups (seed {inputs.Seed})";
            if (first is null)
            {
                Compare.Within(expected, actual, KernelCases.ToleranceOf(operation), what);
                first = actual;
            }
            else
            {
                Compare.Identical(first, actual, $"{what} against 1");
            }
        }
    }

    /// <summary>(33, 300): ten blocks of 32 columns, the last ragged.</summary>
    private static (float[] Expected, int Items, Func<KernelConfig, float[]> Run) SumColumns(IlgpuBackend backend, RandomInputs inputs)
    {
        var kernel = backend.Accelerator.LoadStreamKernel<FloatView, FloatView, float, int, int>(Reductions.SumColumnsGroupKernel);
        const int rows = 33, cols = 300;
        float[] x = inputs.Uniform(rows * cols);
        float alpha = inputs.Scalar();
        float[] expected = new float[cols];
        Reductions.SumColumnsReference(expected, x, alpha, rows, cols);
        return (expected, (cols + Reductions.ColumnsPerGroup - 1) / Reductions.ColumnsPerGroup, config =>
        {
            using var input = DeviceData.Upload(backend, x, rows, cols);
            using var sums = DeviceData.Poisoned(backend, 1, cols);
            kernel(config, View(sums), View(input), alpha, rows, cols);
            return DeviceData.Download(backend, sums);
        });
    }

    /// <summary>(9, 300): nine images of 300 pixels, with exact 0s and 1s so the clamp is exercised.</summary>
    private static (float[] Expected, int Items, Func<KernelConfig, float[]> Run) BinaryCrossEntropy(IlgpuBackend backend, RandomInputs inputs)
    {
        var kernel = backend.Accelerator.LoadStreamKernel<FloatView, FloatView, FloatView, int, int>(Losses.BinaryCrossEntropyGroupKernel);
        const int rows = 9, cols = 300;
        float[] p = inputs.Uniform(rows * cols, 0, 1);
        for (int i = 0; i < p.Length; i += 5)
        {
            p[i] = i % 10 == 0 ? 0 : 1;
        }

        float[] t = inputs.Uniform(rows * cols, 0, 1);
        float[] expected = new float[rows];
        Losses.BinaryCrossEntropyReference(expected, p, t, rows, cols);
        return (expected, rows, config =>
        {
            using var pIn = DeviceData.Upload(backend, p, rows, cols);
            using var tIn = DeviceData.Upload(backend, t, rows, cols);
            using var loss = DeviceData.Poisoned(backend, rows, 1);
            kernel(config, View(loss), View(pIn), View(tIn), rows, cols);
            return DeviceData.Download(backend, loss);
        });
    }

    private static FloatView View(Tensor tensor) => ((DeviceTensor)tensor).View;
}
