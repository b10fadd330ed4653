using GpuVae.Kernels;
using GpuVae.Kernels.Ilgpu;
using GpuVae.Tests.Support;
using ILGPU;
using ILGPU.Runtime;
using Xunit;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;

namespace GpuVae.Tests.Kernels;

[Collection(nameof(AcceleratorCollection))]
public sealed class LossTests
{
    // Per-image sums of up to 784 float32 terms (each up to -log(1e-8) = 18.4) against double
    // sums: rounding grows like sqrt(n) * 2^-24 relative per term; 1e-4 absolute plus 1e-5
    // relative of the sum holds for B x D = 128 x 784.
    private static readonly Tolerance RowSum = new(1e-4, 1e-5);

    // Elementwise float arithmetic against double: a few ulp.
    private static readonly Tolerance Elementwise = new(1e-6, 1e-5);

    private static readonly (int Rows, int Cols)[] Shapes = [(1, 1), (7, 33), (33, 7), (128, 784), (500, 2)];

    // For the two BCE kernels: 1 and odd sizes, 784 and 1000 pixels span several strides of a
    // 256-thread group and end in a partial one, and 33 and 1 pixels leave most threads idle.
    private static readonly (int Rows, int Cols)[] VariantShapes = [(1, 1), (7, 33), (33, 7), (128, 784), (500, 1), (3, 784), (5, 1000)];

    // The group kernel on ILGPU's CPU accelerator: each image costs 9 barriers of 256 real
    // threads, 3-5 ms each on 2 cores ((500, 1) took 7 s, (128, 784) 1.9 s), so there the
    // network's widths come with few images; 9 and 20 still stride over the groups (one per core).
    private static readonly (int Rows, int Cols)[] CpuGroupShapes = [(1, 1), (7, 33), (33, 7), (9, 784), (20, 1), (3, 784), (5, 1000)];

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
                Compare.AllClose(loss, actual, RowSum, $"{kind} BCE group kernel, {groups} groups");
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
