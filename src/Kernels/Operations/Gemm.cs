using GpuVae.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels.Operations;

/// <summary>
/// C = alpha * op(A) * op(B) + beta * C on row-major matrices. op(A) is (M, K), op(B) is
/// (K, N), C is (M, N). A is stored (M, K), or (K, M) when transposed; B is stored (K, N),
/// or (N, K) when transposed. Forward passes use NN; backward passes use NT (dx = dy W^T)
/// and TN (dW = x^T dy).
/// </summary>
public static class Gemm
{
    /// <summary>The triple loop, accumulated in double: the oracle every GEMM is tested against.</summary>
    public static void Reference(
        Span<float> c, ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, bool transposeB,
        float alpha, float beta, int m, int n, int k)
    {
        for (int row = 0; row < m; row++)
        {
            for (int col = 0; col < n; col++)
            {
                double sum = 0;
                for (int i = 0; i < k; i++)
                {
                    float left = transposeA ? a[(i * m) + row] : a[(row * k) + i];
                    float right = transposeB ? b[(col * k) + i] : b[(i * n) + col];
                    sum += (double)left * right;
                }

                // beta == 0 must ignore C entirely, as BLAS does, so uninitialized (NaN) outputs are fine.
                double previous = beta == 0 ? 0 : (double)beta * c[(row * n) + col];
                c[(row * n) + col] = (float)((alpha * sum) + previous);
            }
        }
    }

    /// <summary>Edge of the square tiles <see cref="TiledKernel"/> stages in shared memory; a group is Tile x Tile threads.</summary>
    public const int Tile = 16;

    /// <summary>Rows and columns of C each thread of <see cref="TiledBlockedKernel"/> computes.</summary>
    public const int Block = 4;

    /// <summary>Edge of the C tile a group of <see cref="TiledBlockedKernel"/> computes: Tile x Tile threads, 4 x 4 outputs each.</summary>
    public const int BigTile = Tile * Block;

    /// <summary>Depth of K each step of <see cref="TiledBlockedKernel"/> stages in shared memory.</summary>
    public const int TileDepth = 8;

    /// <summary>
    /// Depth of K each grid layer of <see cref="SplitKKernel"/> sums: 784 splits in 7 and 500 in 4,
    /// and a fixed number, so the rounding is the same on every device.
    /// </summary>
    public const int SplitDepth = 128;

    /// <summary>Rows and columns of C each thread of <see cref="RegisterBlockedKernel"/> computes.</summary>
    public const int WideBlock = 8;

    /// <summary>
    /// One output element per loop iteration, read straight from global memory. Like every
    /// GEMM kernel it takes the reference's arguments, with the transposes as 0 or 1.
    /// </summary>
    internal static void NaiveKernel(
        FloatView c, FloatView a, int transposeA, FloatView b, int transposeB,
        float alpha, float beta, int m, int n, int k)
    {
        int stride = Launch.Step;
        for (int e = Launch.Start; e < m * n; e += stride)
        {
            int row = e / n;
            int col = e % n;
            float sum = 0;
            for (int i = 0; i < k; i++)
            {
                sum += a[transposeA != 0 ? (i * m) + row : (row * k) + i] * b[transposeB != 0 ? (col * k) + i : (i * n) + col];
            }

            c[e] = beta == 0 ? alpha * sum : (alpha * sum) + (beta * c[e]);
        }
    }

    /// <summary>
    /// Each group owns a Tile x Tile block of C and walks K in Tile steps: the group stages
    /// op(A) and op(B) tiles in shared memory, so each global element is read once per group
    /// instead of once per thread. Out-of-range tile entries are zero, so any shape works.
    /// </summary>
    internal static void TiledKernel(
        FloatView c, FloatView a, int transposeA, FloatView b, int transposeB,
        float alpha, float beta, int m, int n, int k)
    {
        var tileA = SharedMemory.Allocate<float>(Tile * Tile);
        var tileB = SharedMemory.Allocate<float>(Tile * Tile);
        int row = (Grid.IdxY * Tile) + Group.IdxY;
        int col = (Grid.IdxX * Tile) + Group.IdxX;
        float sum = AccumulateTile(tileA, tileB, a, transposeA, b, transposeB, m, n, k, row, col, 0, k);
        if (row < m && col < n)
        {
            Store(c, (row * n) + col, sum, alpha, beta);
        }
    }

    /// <summary>
    /// <see cref="TiledKernel"/> with K split into layers of <see cref="SplitDepth"/>, one per
    /// grid layer (Grid.IdxZ). Each group waits on a global load per step of K, and the
    /// model's deepest GEMMs (K = 784, 49 steps) give a GPU only two groups per multiprocessor
    /// to hide that behind; seven layers of 8 steps give it fourteen. Each layer writes its
    /// partial C to partials[layer]; <see cref="SplitKReduceKernel"/> adds the layers in order,
    /// so the result does not depend on which finishes first.
    /// </summary>
    internal static void SplitKKernel(FloatView partials, FloatView a, int transposeA, FloatView b, int transposeB, int m, int n, int k)
    {
        var tileA = SharedMemory.Allocate<float>(Tile * Tile);
        var tileB = SharedMemory.Allocate<float>(Tile * Tile);
        int row = (Grid.IdxY * Tile) + Group.IdxY;
        int col = (Grid.IdxX * Tile) + Group.IdxX;
        int kBegin = Grid.IdxZ * SplitDepth;
        float sum = AccumulateTile(tileA, tileB, a, transposeA, b, transposeB, m, n, k, row, col, kBegin, Math.Min(k, kBegin + SplitDepth));
        if (row < m && col < n)
        {
            partials[(Grid.IdxZ * m * n) + (row * n) + col] = sum;
        }
    }

    /// <summary>c = alpha * (sum of the layers of partials, in layer order) + beta * c.</summary>
    internal static void SplitKReduceKernel(FloatView c, FloatView partials, int layers, float alpha, float beta, int length)
    {
        int stride = Launch.Step;
        for (int i = Launch.Start; i < length; i += stride)
        {
            float sum = 0;
            for (int layer = 0; layer < layers; layer++)
            {
                sum += partials[(layer * length) + i];
            }

            Store(c, i, sum, alpha, beta);
        }
    }

    /// <summary>One thread's element (row, col) of op(A) op(B) over K in [kBegin, kEnd), staged through the group's shared tiles.</summary>
    private static float AccumulateTile(
        ArrayView<float> tileA, ArrayView<float> tileB, FloatView a, int transposeA, FloatView b, int transposeB,
        int m, int n, int k, int row, int col, int kBegin, int kEnd)
    {
        // tileA[ty, tx] = op(A)[row, t + tx]; tileB[ty, tx] = op(B)[t + ty, col].
        int tx = Group.IdxX;
        int ty = Group.IdxY;
        float sum = 0;
        for (int t = kBegin; t < kEnd; t += Tile)
        {
            int ka = t + tx;
            int kb = t + ty;
            tileA[(ty * Tile) + tx] = row < m && ka < kEnd ? a[transposeA != 0 ? (ka * m) + row : (row * k) + ka] : 0;
            tileB[(ty * Tile) + tx] = col < n && kb < kEnd ? b[transposeB != 0 ? (col * k) + kb : (kb * n) + col] : 0;
            Group.Barrier();
            for (int i = 0; i < Tile; i++)
            {
                sum += tileA[(ty * Tile) + i] * tileB[(i * Tile) + tx];
            }

            Group.Barrier();
        }

        return sum;
    }

    /// <summary>
    /// Shared-memory tiles and register blocks together, the classic GPU SGEMM: a group of
    /// Tile x Tile threads owns a 64 x 64 tile of C and walks K in steps of 8, staging a
    /// (64, 8) slab of op(A) and an (8, 64) slab of op(B); each thread then does 4 x 4
    /// multiply-adds per 8 shared loads, against 1 per 2 in <see cref="TiledKernel"/>.
    /// Thread (tx, ty) owns rows ty + 16 i and columns tx + 16 j, so neighbouring threads
    /// read neighbouring shared words (no bank conflicts) and write neighbouring outputs.
    /// </summary>
    internal static void TiledBlockedKernel(
        FloatView c, FloatView a, int transposeA, FloatView b, int transposeB,
        float alpha, float beta, int m, int n, int k)
    {
        // slabA[kk * BigTile + r] = op(A)[row0 + r, k0 + kk]; slabB[kk * BigTile + j] = op(B)[k0 + kk, col0 + j].
        var slabA = SharedMemory.Allocate<float>(TileDepth * BigTile);
        var slabB = SharedMemory.Allocate<float>(TileDepth * BigTile);
        int tx = Group.IdxX;
        int ty = Group.IdxY;
        int thread = (ty * Tile) + tx;
        int row0 = Grid.IdxY * BigTile;
        int col0 = Grid.IdxX * BigTile;
        Float32x4 sum0 = default, sum1 = default, sum2 = default, sum3 = default;
        for (int k0 = 0; k0 < k; k0 += TileDepth)
        {
            // 512 slab entries, 2 per thread; the index order follows memory so loads coalesce.
            for (int e = thread; e < TileDepth * BigTile; e += Tile * Tile)
            {
                int r = transposeA != 0 ? e % BigTile : e / TileDepth;
                int kkA = transposeA != 0 ? e / BigTile : e % TileDepth;
                slabA[(kkA * BigTile) + r] = OpA(a, transposeA, m, k, row0 + r, k0 + kkA);
                int j = transposeB != 0 ? e / TileDepth : e % BigTile;
                int kkB = transposeB != 0 ? e % TileDepth : e / BigTile;
                slabB[(kkB * BigTile) + j] = OpB(b, transposeB, n, k, k0 + kkB, col0 + j);
            }

            Group.Barrier();
            for (int kk = 0; kk < TileDepth; kk++)
            {
                int slab = kk * BigTile;
                var y = new Float32x4(slabB[slab + tx], slabB[slab + tx + Tile], slabB[slab + tx + (2 * Tile)], slabB[slab + tx + (3 * Tile)]);
                sum0 = sum0.MultiplyAdd(slabA[slab + ty], y);
                sum1 = sum1.MultiplyAdd(slabA[slab + ty + Tile], y);
                sum2 = sum2.MultiplyAdd(slabA[slab + ty + (2 * Tile)], y);
                sum3 = sum3.MultiplyAdd(slabA[slab + ty + (3 * Tile)], y);
            }

            Group.Barrier();
        }

        StoreStrided(c, row0 + ty, col0 + tx, sum0, alpha, beta, m, n);
        StoreStrided(c, row0 + ty + Tile, col0 + tx, sum1, alpha, beta, m, n);
        StoreStrided(c, row0 + ty + (2 * Tile), col0 + tx, sum2, alpha, beta, m, n);
        StoreStrided(c, row0 + ty + (3 * Tile), col0 + tx, sum3, alpha, beta, m, n);
    }

    /// <summary>op(A)[row, i], or 0 outside the matrix so edge tiles need no other branch.</summary>
    private static float OpA(FloatView a, int transposeA, int m, int k, int row, int i) =>
        row < m && i < k ? a[transposeA != 0 ? (i * m) + row : (row * k) + i] : 0;

    /// <summary>op(B)[i, col], or 0 outside the matrix.</summary>
    private static float OpB(FloatView b, int transposeB, int n, int k, int i, int col) =>
        col < n && i < k ? b[transposeB != 0 ? (col * k) + i : (i * n) + col] : 0;

    /// <summary>Columns col, col + 16, col + 32, col + 48 of one row of C, those inside it.</summary>
    private static void StoreStrided(FloatView c, int row, int col, Float32x4 values, float alpha, float beta, int m, int n)
    {
        if (row >= m)
        {
            return;
        }

        int start = row * n;
        if (col < n)
        {
            Store(c, start + col, values.V0, alpha, beta);
        }

        if (col + Tile < n)
        {
            Store(c, start + col + Tile, values.V1, alpha, beta);
        }

        if (col + (2 * Tile) < n)
        {
            Store(c, start + col + (2 * Tile), values.V2, alpha, beta);
        }

        if (col + (3 * Tile) < n)
        {
            Store(c, start + col + (3 * Tile), values.V3, alpha, beta);
        }
    }

    /// <summary>
    /// Each loop iteration computes an 8x8 block of C in locals, with no barriers: per step of
    /// K it loads 8 + 8 values for 64 multiply-adds. On ILGPU's CPU accelerator every view
    /// access runs bounds assertions and costs far more than a multiply-add, so that ratio
    /// sets the speed (a 4x4 block, 8 loads per 16, measured 3.5-4.3 GFLOP/s against this
    /// kernel's 3.9-4.5), and barriers synchronize real threads.
    /// </summary>
    internal static void RegisterBlockedKernel(
        FloatView c, FloatView a, int transposeA, FloatView b, int transposeB,
        float alpha, float beta, int m, int n, int k)
    {
        // op(A)[row, i] = a[row * aRow + i * aK]; op(B)[i, col] = b[i * bK + col * bCol].
        int aRow = transposeA != 0 ? 1 : k;
        int aK = transposeA != 0 ? m : 1;
        int bK = transposeB != 0 ? 1 : n;
        int bCol = transposeB != 0 ? k : 1;
        int blockCols = (n + WideBlock - 1) / WideBlock;
        int blocks = ((m + WideBlock - 1) / WideBlock) * blockCols;
        int stride = Launch.Step;
        for (int blockIndex = Launch.Start; blockIndex < blocks; blockIndex += stride)
        {
            int r0 = blockIndex / blockCols * WideBlock;
            int c0 = blockIndex % blockCols * WideBlock;
            // Edge blocks clamp to the last row or column, so the inner loop has no branches.
            var rows = new Int32x8(
                r0 * aRow, Math.Min(r0 + 1, m - 1) * aRow, Math.Min(r0 + 2, m - 1) * aRow, Math.Min(r0 + 3, m - 1) * aRow,
                Math.Min(r0 + 4, m - 1) * aRow, Math.Min(r0 + 5, m - 1) * aRow, Math.Min(r0 + 6, m - 1) * aRow, Math.Min(r0 + 7, m - 1) * aRow);
            var cols = new Int32x8(
                c0 * bCol, Math.Min(c0 + 1, n - 1) * bCol, Math.Min(c0 + 2, n - 1) * bCol, Math.Min(c0 + 3, n - 1) * bCol,
                Math.Min(c0 + 4, n - 1) * bCol, Math.Min(c0 + 5, n - 1) * bCol, Math.Min(c0 + 6, n - 1) * bCol, Math.Min(c0 + 7, n - 1) * bCol);
            Float32x8 c0Row = default, c1Row = default, c2Row = default, c3Row = default;
            Float32x8 c4Row = default, c5Row = default, c6Row = default, c7Row = default;
            for (int i = 0; i < k; i++)
            {
                int ai = i * aK;
                int bi = i * bK;
                var y = new Float32x8(
                    b[cols.V0 + bi], b[cols.V1 + bi], b[cols.V2 + bi], b[cols.V3 + bi],
                    b[cols.V4 + bi], b[cols.V5 + bi], b[cols.V6 + bi], b[cols.V7 + bi]);
                c0Row = c0Row.MultiplyAdd(a[rows.V0 + ai], y);
                c1Row = c1Row.MultiplyAdd(a[rows.V1 + ai], y);
                c2Row = c2Row.MultiplyAdd(a[rows.V2 + ai], y);
                c3Row = c3Row.MultiplyAdd(a[rows.V3 + ai], y);
                c4Row = c4Row.MultiplyAdd(a[rows.V4 + ai], y);
                c5Row = c5Row.MultiplyAdd(a[rows.V5 + ai], y);
                c6Row = c6Row.MultiplyAdd(a[rows.V6 + ai], y);
                c7Row = c7Row.MultiplyAdd(a[rows.V7 + ai], y);
            }

            StoreRow8(c, r0, c0, c0Row, alpha, beta, m, n);
            StoreRow8(c, r0 + 1, c0, c1Row, alpha, beta, m, n);
            StoreRow8(c, r0 + 2, c0, c2Row, alpha, beta, m, n);
            StoreRow8(c, r0 + 3, c0, c3Row, alpha, beta, m, n);
            StoreRow8(c, r0 + 4, c0, c4Row, alpha, beta, m, n);
            StoreRow8(c, r0 + 5, c0, c5Row, alpha, beta, m, n);
            StoreRow8(c, r0 + 6, c0, c6Row, alpha, beta, m, n);
            StoreRow8(c, r0 + 7, c0, c7Row, alpha, beta, m, n);
        }
    }

    private static void StoreRow8(FloatView c, int row, int col, Float32x8 values, float alpha, float beta, int m, int n)
    {
        if (row < m)
        {
            StoreRow(c, row, col, values.V0, values.V1, values.V2, values.V3, alpha, beta, m, n);
            if (col + 4 < n)
            {
                StoreRow(c, row, col + 4, values.V4, values.V5, values.V6, values.V7, alpha, beta, m, n);
            }
        }
    }

    private static void StoreRow(
        FloatView c, int row, int col, float v0, float v1, float v2, float v3, float alpha, float beta, int m, int n)
    {
        if (row >= m)
        {
            return;
        }

        int start = row * n;
        Store(c, start + col, v0, alpha, beta);
        if (col + 1 < n)
        {
            Store(c, start + col + 1, v1, alpha, beta);
        }

        if (col + 2 < n)
        {
            Store(c, start + col + 2, v2, alpha, beta);
        }

        if (col + 3 < n)
        {
            Store(c, start + col + 3, v3, alpha, beta);
        }
    }

    // beta == 0 ignores C, as BLAS does, so a NaN in an unwritten output cannot leak in.
    private static void Store(FloatView c, int index, float sum, float alpha, float beta) =>
        c[index] = beta == 0 ? alpha * sum : (alpha * sum) + (beta * c[index]);

    /// <summary>Loads the GEMM kernels on one accelerator once and launches them.</summary>
    internal sealed class Launcher : IDisposable
    {
        private readonly Accelerator accelerator;
        private readonly Action<KernelConfig, FloatView, FloatView, int, FloatView, int, float, float, int, int, int> naive;
        private readonly Action<KernelConfig, FloatView, FloatView, int, FloatView, int, float, float, int, int, int> tiled;
        private readonly Action<KernelConfig, FloatView, FloatView, int, FloatView, int, float, float, int, int, int> registerBlocked;
        private readonly Action<KernelConfig, FloatView, FloatView, int, FloatView, int, float, float, int, int, int> tiledBlocked;
        private readonly Action<KernelConfig, FloatView, FloatView, int, FloatView, int, int, int, int> splitK;
        private readonly Action<KernelConfig, FloatView, FloatView, int, float, float, int> splitKReduce;

        // The split-K layers of C, grown to the largest GEMM seen and reused.
        private MemoryBuffer1D<float, Stride1D.Dense>? partials;

        public Launcher(Accelerator accelerator)
        {
            ArgumentNullException.ThrowIfNull(accelerator);
            this.accelerator = accelerator;
            naive = accelerator.LoadStreamKernel<FloatView, FloatView, int, FloatView, int, float, float, int, int, int>(NaiveKernel);
            tiled = accelerator.LoadStreamKernel<FloatView, FloatView, int, FloatView, int, float, float, int, int, int>(TiledKernel);
            registerBlocked = accelerator.LoadStreamKernel<FloatView, FloatView, int, FloatView, int, float, float, int, int, int>(RegisterBlockedKernel);
            tiledBlocked = accelerator.LoadStreamKernel<FloatView, FloatView, int, FloatView, int, float, float, int, int, int>(TiledBlockedKernel);
            splitK = accelerator.LoadStreamKernel<FloatView, FloatView, int, FloatView, int, int, int, int>(SplitKKernel);
            splitKReduce = accelerator.LoadStreamKernel<FloatView, FloatView, int, float, float, int>(SplitKReduceKernel);
        }

        /// <summary>
        /// Barriers on ILGPU's CPU accelerator synchronize real threads (a tiled 128x500x784
        /// GEMM took minutes there), so the CPU gets the barrier-free register-blocked kernel
        /// (3.9-4.5 GFLOP/s at the model's shapes); so does a device whose groups cannot hold a
        /// Tile x Tile group. GPUs get the tiled one: on an H100 it ran a step's GEMMs in 0.45 ms
        /// against 0.59 for split-K over 64 x 64 tiles and 1.32 for TiledBlocked.
        /// </summary>
        public GemmVariant Preferred => HasBarrierFreeGroupsOnly ? GemmVariant.RegisterBlocked : GemmVariant.Tiled;

        /// <summary>Every kernel that runs well enough here to check and time: all of them, but those with barriers on the CPU.</summary>
        public IReadOnlyList<GemmVariant> Usable => HasBarrierFreeGroupsOnly
            ? [GemmVariant.Naive, GemmVariant.RegisterBlocked]
            : Enum.GetValues<GemmVariant>();

        private bool HasBarrierFreeGroupsOnly =>
            accelerator.AcceleratorType == AcceleratorType.CPU || accelerator.MaxNumThreadsPerGroup < Tile * Tile;

        public void Run(
            GemmVariant variant, FloatView c, FloatView a, bool transposeA, FloatView b, bool transposeB,
            float alpha, float beta, int m, int n, int k)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(m);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
            Launch.Require(c, (long)m * n, nameof(c));
            Launch.Require(a, (long)m * k, nameof(a));
            Launch.Require(b, (long)k * n, nameof(b));
            // ILGPU kernels cannot take bool parameters, so the transposes travel as 0 or 1.
            int opA = transposeA ? 1 : 0;
            int opB = transposeB ? 1 : 0;
            switch (variant)
            {
                case GemmVariant.Naive:
                    naive(Launch.GridStride(accelerator, (long)m * n), c, a, opA, b, opB, alpha, beta, m, n, k);
                    break;
                case GemmVariant.Tiled:
                    var groups = new Index2D((n + Tile - 1) / Tile, (m + Tile - 1) / Tile);
                    tiled(new KernelConfig(groups, new Index2D(Tile, Tile)), c, a, opA, b, opB, alpha, beta, m, n, k);
                    break;
                case GemmVariant.RegisterBlocked:
                    long blocks = (long)((m + WideBlock - 1) / WideBlock) * ((n + WideBlock - 1) / WideBlock);
                    registerBlocked(Launch.GridStride(accelerator, blocks), c, a, opA, b, opB, alpha, beta, m, n, k);
                    break;
                case GemmVariant.TiledBlocked:
                    var bigGroups = new Index2D((n + BigTile - 1) / BigTile, (m + BigTile - 1) / BigTile);
                    tiledBlocked(new KernelConfig(bigGroups, new Index2D(Tile, Tile)), c, a, opA, b, opB, alpha, beta, m, n, k);
                    break;
                case GemmVariant.SplitK:
                    int layers = (k + SplitDepth - 1) / SplitDepth;
                    var layerView = Partials((long)layers * m * n);
                    var splitGroups = new Index3D((n + Tile - 1) / Tile, (m + Tile - 1) / Tile, layers);
                    splitK(new KernelConfig(splitGroups, new Index3D(Tile, Tile, 1)), layerView, a, opA, b, opB, m, n, k);
                    splitKReduce(Launch.GridStride(accelerator, (long)m * n), c, layerView, layers, alpha, beta, m * n);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(variant));
            }
        }

        public void Dispose() => partials?.Dispose();

        private FloatView Partials(long length)
        {
            if (partials is null || partials.Length < length)
            {
                partials?.Dispose();
                partials = accelerator.Allocate1D<float>(length);
            }

            return partials.View.SubView(0, length);
        }
    }
}
