using GpuVae.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels.Operations;

/// <summary>Row-broadcast bias addition; its gradient is <see cref="Reductions.SumColumnsReference"/>.</summary>
public static class Bias
{
    /// <summary>y (rows, cols) += bias (1, cols).</summary>
    public static void AddReference(Span<float> y, ReadOnlySpan<float> bias, int rows, int cols)
    {
        for (int row = 0; row < rows; row++)
        {
            for (int col = 0; col < cols; col++)
            {
                y[(row * cols) + col] += bias[col];
            }
        }
    }

    /// <summary>y (rows, cols) += bias (1, cols), grid-stride over the elements of y.</summary>
    internal static void AddKernel(FloatView y, FloatView bias, int rows, int cols)
    {
        int stride = Launch.Step;
        for (int e = Launch.Start; e < rows * cols; e += stride)
        {
            y[e] += bias[e % cols];
        }
    }

    /// <summary>Loads the bias kernel on one accelerator once and launches it.</summary>
    internal sealed class Launcher
    {
        private readonly Accelerator accelerator;
        private readonly Action<KernelConfig, FloatView, FloatView, int, int> add;

        public Launcher(Accelerator accelerator)
        {
            ArgumentNullException.ThrowIfNull(accelerator);
            this.accelerator = accelerator;
            add = accelerator.LoadStreamKernel<FloatView, FloatView, int, int>(AddKernel);
        }

        public void Add(FloatView y, FloatView bias, int rows, int cols)
        {
            Launch.Require(y, (long)rows * cols, nameof(y));
            Launch.Require(bias, cols, nameof(bias));
            add(Launch.GridStride(accelerator, (long)rows * cols), y, bias, rows, cols);
        }
    }
}
