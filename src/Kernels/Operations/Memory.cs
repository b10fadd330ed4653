using GpuVae.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels.Operations;

/// <summary>Small data-movement helpers the model needs: fill, copy and row gather.</summary>
internal static class Memory
{
    public static void FillReference(Span<float> y, float value, int length) => y[..length].Fill(value);

    public static void CopyReference(Span<float> y, ReadOnlySpan<float> x, int length) => x[..length].CopyTo(y);

    /// <summary>y (len(rows), cols) = x[rows, :].</summary>
    public static void GatherRowsReference(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<int> rows, int cols)
    {
        for (int r = 0; r < rows.Length; r++)
        {
            x.Slice(rows[r] * cols, cols).CopyTo(y.Slice(r * cols, cols));
        }
    }

    internal static void FillKernel(FloatView y, float value, int length)
    {
        int stride = Launch.Step;
        for (int i = Launch.Start; i < length; i += stride)
        {
            y[i] = value;
        }
    }

    internal static void CopyKernel(FloatView y, FloatView x, int length)
    {
        int stride = Launch.Step;
        for (int i = Launch.Start; i < length; i += stride)
        {
            y[i] = x[i];
        }
    }

    /// <summary>y (rowCount, cols) = x[rows, :] with the rows the step's values hold, grid-stride over the elements of y.</summary>
    internal static void GatherRowsKernel(FloatView y, FloatView x, ArrayView1D<int, Stride1D.Dense> step, int rowCount, int cols)
    {
        int length = rowCount * cols;
        int stride = Launch.Step;
        for (int e = Launch.Start; e < length; e += stride)
        {
            y[e] = x[(StepValues.ReadRow(step, e / cols) * cols) + (e % cols)];
        }
    }

    /// <summary>Loads the memory kernels on one accelerator once and launches them.</summary>
    internal sealed class Launcher
    {
        private readonly Accelerator accelerator;
        private readonly Action<KernelConfig, FloatView, float, int> fill;
        private readonly Action<KernelConfig, FloatView, FloatView, int> copy;
        private readonly Action<KernelConfig, FloatView, FloatView, ArrayView1D<int, Stride1D.Dense>, int, int> gatherRows;

        public Launcher(Accelerator accelerator)
        {
            ArgumentNullException.ThrowIfNull(accelerator);
            this.accelerator = accelerator;
            fill = accelerator.LoadStreamKernel<FloatView, float, int>(FillKernel);
            copy = accelerator.LoadStreamKernel<FloatView, FloatView, int>(CopyKernel);
            gatherRows = accelerator.LoadStreamKernel<FloatView, FloatView, ArrayView1D<int, Stride1D.Dense>, int, int>(GatherRowsKernel);
        }

        public void Fill(FloatView y, float value, int length)
        {
            Launch.Require(y, length, nameof(y));
            fill(Launch.GridStride(accelerator, length), y, value, length);
        }

        public void Copy(FloatView y, FloatView x, int length)
        {
            Launch.Require(y, length, nameof(y));
            Launch.Require(x, length, nameof(x));
            copy(Launch.GridStride(accelerator, length), y, x, length);
        }

        /// <summary>step holds a step's values on the device, with rows already checked to lie inside x.</summary>
        public void GatherRows(FloatView y, FloatView x, ArrayView1D<int, Stride1D.Dense> step, int rowCount, int cols)
        {
            long length = (long)rowCount * cols;
            Launch.Require(y, length, nameof(y));
            gatherRows(Launch.GridStride(accelerator, length), y, x, step, rowCount, cols);
        }
    }
}
