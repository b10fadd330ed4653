using GpuVae.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels.Operations;

/// <summary>
/// Deterministic column sums: bias gradients (sum over the batch) and batch means of
/// per-image losses. Every sum adds its terms in an order fixed by the shape alone, so the
/// result never depends on the launch shape or on the order atomics land in.
/// </summary>
internal static class Reductions
{
    /// <summary>
    /// Threads per group of the <see cref="ReductionVariant.PerGroup"/> kernels, fixed at compile
    /// time because it sizes their shared memory: a multiple of every warp size, and what
    /// ILGPU's CPU device (<see cref="BackendFactory.CpuDevice"/>) allows.
    /// </summary>
    public const int GroupSize = 256;

    /// <summary>Columns one group of <see cref="SumColumnsGroupKernel"/> sums: one 128-byte row segment per warp load.</summary>
    public const int ColumnsPerGroup = 32;

    /// <summary>Row slices per column in <see cref="SumColumnsGroupKernel"/>: the rest of the group.</summary>
    public const int RowSlices = GroupSize / ColumnsPerGroup;

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
    internal static void SumColumnsKernel(FloatView sums, FloatView x, float alpha, int rows, int cols)
    {
        int stride = Launch.Step;
        for (int col = Launch.Start; col < cols; col += stride)
        {
            float sum = 0;
            for (int row = 0; row < rows; row++)
            {
                sum += x[(row * cols) + col];
            }

            sums[col] = alpha * sum;
        }
    }

    /// <summary>
    /// A group of 256 threads sums 32 columns: thread (lane, slice) adds rows slice, slice + 8,
    /// ... of column lane, so each warp reads whole row segments and each thread's chain of
    /// dependent loads is 8 times shorter than <see cref="SumColumnsKernel"/>'s. Slice 0 then
    /// adds the 8 partial sums in slice order, which fixes the result's bits for any grid.
    /// Every thread of a group walks the same column blocks, so all of them reach the barriers.
    /// </summary>
    internal static void SumColumnsGroupKernel(FloatView sums, FloatView x, float alpha, int rows, int cols)
    {
        // partial[slice * ColumnsPerGroup + lane]
        var partial = SharedMemory.Allocate<float>(GroupSize);
        int thread = Group.IdxX;
        int lane = thread % ColumnsPerGroup;
        int slice = thread / ColumnsPerGroup;
        int blocks = (cols + ColumnsPerGroup - 1) / ColumnsPerGroup;
        for (int block = Grid.IdxX; block < blocks; block += Grid.DimX)
        {
            int col = (block * ColumnsPerGroup) + lane;
            float sum = 0;
            if (col < cols)
            {
                for (int row = slice; row < rows; row += RowSlices)
                {
                    sum += x[(row * cols) + col];
                }
            }

            partial[thread] = sum;
            Group.Barrier();
            if (slice == 0 && col < cols)
            {
                float total = partial[lane];
                for (int s = 1; s < RowSlices; s++)
                {
                    total += partial[(s * ColumnsPerGroup) + lane];
                }

                sums[col] = alpha * total;
            }

            // Slice 0 must finish reading before the next block overwrites the partials.
            Group.Barrier();
        }
    }

    /// <summary>
    /// Barriers on ILGPU's CPU accelerator synchronize real threads and every launched thread
    /// costs about 1.4 us, so the CPU sums one column (or row) per thread. On a GPU that is a
    /// few hundred threads, each waiting on hundreds of dependent loads, so a GPU gets a group
    /// per row or per 32 columns; a device whose groups cannot hold 256 threads cannot.
    /// </summary>
    public static ReductionVariant PreferredOn(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        return accelerator.AcceleratorType == AcceleratorType.CPU || accelerator.MaxNumThreadsPerGroup < GroupSize
            ? ReductionVariant.PerThread
            : ReductionVariant.PerGroup;
    }

    /// <summary>
    /// The row-or-column kernel a variant names and its launch: a thread per item striding over
    /// all of them, or a group of <see cref="GroupSize"/> per group item. Every sum with both
    /// kernels (column sums, BCE over pixels) launches through this one switch.
    /// </summary>
    internal static (TKernel Kernel, KernelConfig Config) Pick<TKernel>(
        ReductionVariant variant, Accelerator accelerator, long threadItems, long groupItems, TKernel perThread, TKernel perGroup) => variant switch
    {
        ReductionVariant.PerThread => (perThread, Launch.GridStride(accelerator, threadItems)),
        ReductionVariant.PerGroup => (perGroup, Launch.GroupPerItem(accelerator, groupItems, GroupSize)),
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "no kernel for this reduction variant"),
    };

    /// <summary>Loads the reduction kernels on one accelerator once and launches them.</summary>
    internal sealed class Launcher
    {
        private readonly Accelerator accelerator;
        private readonly Action<KernelConfig, FloatView, FloatView, float, int, int> sumColumns;
        private readonly Action<KernelConfig, FloatView, FloatView, float, int, int> sumColumnsGroup;

        public Launcher(Accelerator accelerator)
        {
            ArgumentNullException.ThrowIfNull(accelerator);
            this.accelerator = accelerator;
            sumColumns = accelerator.LoadStreamKernel<FloatView, FloatView, float, int, int>(SumColumnsKernel);
            sumColumnsGroup = accelerator.LoadStreamKernel<FloatView, FloatView, float, int, int>(SumColumnsGroupKernel);
        }

        public void SumColumns(ReductionVariant variant, FloatView sums, FloatView x, float alpha, int rows, int cols)
        {
            Launch.Require(sums, cols, nameof(sums));
            Launch.Require(x, (long)rows * cols, nameof(x));
            int blocks = (cols + ColumnsPerGroup - 1) / ColumnsPerGroup;
            var (kernel, config) = Pick(variant, accelerator, cols, blocks, sumColumns, sumColumnsGroup);
            kernel(config, sums, x, alpha, rows, cols);
        }
    }
}
