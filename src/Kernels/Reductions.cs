using GpuVae.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels;

/// <summary>
/// Deterministic column sums: bias gradients (sum over the batch) and batch means of
/// per-image losses. One sequential sum per column, so the result never depends on the
/// launch shape or on the order atomics land in.
/// </summary>
public static class Reductions
{
    /// <summary>sums (1, cols) = alpha * sum over rows of x (rows, cols), accumulated in double.</summary>
    public static void SumColumnsReference(Span<float> sums, ReadOnlySpan<float> x, float alpha, int rows, int cols)
    {
        for (int col = 0; col < cols; col++)
        {
            double sum = 0;
            for (int row = 0; row < rows; row++)
            {
                sum += x[(row * cols) + col];
            }

            sums[col] = (float)(alpha * sum);
        }
    }

    /// <summary>
    /// One thread per column sums its rows in order: deterministic for any row count, unlike
    /// ILGPU.Algorithms' Reduce, whose final atomic add lands in a varying order.
    /// </summary>
    public static void SumColumnsKernel(FloatView sums, FloatView x, float alpha, int rows, int cols)
    {
        for (int col = Launch.Start; col < cols; col += Launch.Step)
        {
            float sum = 0;
            for (int row = 0; row < rows; row++)
            {
                sum += x[(row * cols) + col];
            }

            sums[col] = alpha * sum;
        }
    }

    /// <summary>Loads the reduction kernel on one accelerator once and launches it.</summary>
    public sealed class Launcher
    {
        private readonly Accelerator accelerator;
        private readonly Action<KernelConfig, FloatView, FloatView, float, int, int> sumColumns;

        public Launcher(Accelerator accelerator)
        {
            ArgumentNullException.ThrowIfNull(accelerator);
            this.accelerator = accelerator;
            sumColumns = accelerator.LoadStreamKernel<FloatView, FloatView, float, int, int>(SumColumnsKernel);
        }

        public void SumColumns(FloatView sums, FloatView x, float alpha, int rows, int cols)
        {
            Launch.Require(sums, cols, nameof(sums));
            Launch.Require(x, (long)rows * cols, nameof(x));
            sumColumns(Launch.GridStride(accelerator, cols), sums, x, alpha, rows, cols);
        }
    }
}
