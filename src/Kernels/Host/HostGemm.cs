using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GpuVae.Kernels.Operations;

namespace GpuVae.Kernels.Host;

/// <summary>
/// The host backend's GEMM, C = alpha * op(A) * op(B) + beta * C with Gemm.Reference's
/// semantics, laid out the way BLIS and OpenBLAS are (Goto's algorithm): op(B) is packed in
/// (Kc, Nc) panels of k-major slivers, so each k step is two contiguous vector loads whatever
/// B's orientation, and a register-blocked micro-kernel streams (Mc, Kc) blocks of op(A)
/// past them while it keeps an (Mr, Nr) tile of C in vector registers. A is read in place
/// through its strides (its values are only broadcast), so the four transpose combinations
/// are one code path; blocking keeps the B sliver in L1 and the A block in L2.
/// </summary>
internal static class HostGemm
{
    /// <summary>
    /// Rows of the C tile. 6 rows of 2 vectors is 12 accumulators, plus 2 B vectors and one
    /// broadcast A value: 15 of AVX2's 16 vector registers, so nothing spills.
    /// </summary>
    private const int Mr = 6;

    /// <summary>
    /// Depth of a packed block. A (Kc, Nr) B sliver is 32 KiB at Nr = 32 floats, which with
    /// the 6 KiB A sliver fits Zen's 32-48 KiB L1d; deeper blocks also amortize the C tile's
    /// load and store over more FMAs.
    /// </summary>
    private const int Kc = 256;

    /// <summary>Rows of an A block: 144 * 256 floats = 144 KiB, resident in a 512 KiB+ L2.</summary>
    private const int Mc = 24 * Mr;

    /// <summary>
    /// Columns of a packed B panel: 256 * 1024 floats = 1 MiB, which lives in L3 and is read
    /// one L1-sized sliver at a time. A multiple of every Nr (8, 16, 32), so only the last
    /// panel of a row of C has a ragged edge. Covers the model's N (at most 784) in one panel.
    /// </summary>
    private const int Nc = 1024;

    /// <summary>The widest Nr: two Vector512 of floats. Sizes the edge-tile scratch.</summary>
    private const int MaxNr = 32;

    /// <summary>
    /// Up to this depth an NN product reads B in place rather than packing it: at K = 20 the
    /// copy costs about as much as the multiply-adds (128x500x20 on one thread: 113 -> 135
    /// GFLOP/s). Deep products keep packing, which a general in-place B slowed by ~10%.
    /// </summary>
    private const int ShallowK = 32;

    /// <summary>
    /// Below this many FLOPs (2 M N K) a GEMM stays on the calling thread: handing half of a
    /// ~10 us GEMM to the thread pool costs about as much as it saves on a 2-core machine.
    /// At 2 MFLOP the step's 128x500x20 GEMM (2.6 MFLOP) splits, 130 -> 156 GFLOP/s.
    /// </summary>
    private const long ParallelMinFlops = 2_000_000;

    /// <summary>The widest micro-kernel this machine runs natively.</summary>
    public static HostGemmIsa BestIsa { get; } =
        Vector512.IsHardwareAccelerated ? HostGemmIsa.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? HostGemmIsa.Vector256
        : HostGemmIsa.Vector128;

    /// <summary>C = alpha * op(A) * op(B) + beta * C with the widest micro-kernel this machine runs.</summary>
    public static void Multiply(
        Span<float> c, ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, bool transposeB,
        float alpha, float beta, int m, int n, int k) =>
        Multiply(BestIsa, c, a, transposeA, b, transposeB, alpha, beta, m, n, k);

    /// <summary>
    /// C = alpha * op(A) * op(B) + beta * C with the given micro-kernel width, so that tests
    /// and benchmarks can run the narrower paths on a machine that would not pick them.
    /// </summary>
    public static unsafe void Multiply(
        HostGemmIsa isa, Span<float> c, ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b,
        bool transposeB, float alpha, float beta, int m, int n, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);

        // The kernels below work on raw pointers (the parallel path cannot capture spans), so
        // the lengths are checked once here instead of on every access.
        RequireLength(c.Length, (long)m * n, nameof(c));
        RequireLength(a.Length, (long)m * k, nameof(a));
        RequireLength(b.Length, (long)k * n, nameof(b));
        if (m == 0 || n == 0)
        {
            return;
        }

        fixed (float* cPointer = c)
        fixed (float* aPointer = a)
        fixed (float* bPointer = b)
        {
            var args = new GemmArgs(cPointer, aPointer, transposeA, bPointer, transposeB, alpha, beta, m, n, k);
            switch (isa)
            {
                case HostGemmIsa.Vector512 when Vector512.IsHardwareAccelerated:
                    Run<GemmSimd512, Vector512<float>>(args);
                    break;
                case HostGemmIsa.Vector256 when Vector256.IsHardwareAccelerated && Fma.IsSupported:
                    Run<GemmSimd256, Vector256<float>>(args);
                    break;
                case HostGemmIsa.Vector128:
                    Run<GemmSimd128, Vector128<float>>(args);
                    break;
                default:
                    throw new PlatformNotSupportedException($"{isa} is not hardware accelerated here");
            }
        }
    }

    /// <summary>
    /// Splits C into one block per core along its longer side, so each thread packs all of
    /// the smaller operand and only its share of the larger one; blocks are whole tiles wide
    /// so no tile straddles two threads.
    /// </summary>
    private static void Run<TSimd, TVector>(GemmArgs args)
        where TSimd : struct, IGemmSimd<TVector>
        where TVector : struct
    {
        int nr = 2 * TSimd.Width;
        int parts = HostTeam.Size;
        if (parts == 1 || 2L * args.M * args.N * args.K < ParallelMinFlops)
        {
            RunBlock<TSimd, TVector>(args, 0, args.M, 0, args.N);
            return;
        }

        bool splitRows = args.M > args.N;
        int tile = splitRows ? Mr : nr;
        int extent = splitRows ? args.M : args.N;
        int tiles = (extent + tile - 1) / tile;
        parts = Math.Min(parts, tiles);
        var job = (args, splitRows, extent, partExtent: ((tiles + parts - 1) / parts) * tile);
        HostTeam.Run(parts, ref job, static (ref job, part) =>
        {
            int start = Math.Min(job.extent, part * job.partExtent);
            int end = Math.Min(job.extent, start + job.partExtent);
            if (job.splitRows)
            {
                RunBlock<TSimd, TVector>(job.args, start, end, 0, job.args.N);
            }
            else
            {
                RunBlock<TSimd, TVector>(job.args, 0, job.args.M, start, end);
            }
        });
    }

    /// <summary>
    /// The block of C rows [row0, row1), columns [col0, col1) on the calling thread: Goto's
    /// loop nest, panel of B (jc, pc), block of A (ic), then the macro-kernel.
    /// </summary>
    private static unsafe void RunBlock<TSimd, TVector>(GemmArgs args, int row0, int row1, int col0, int col1)
        where TSimd : struct, IGemmSimd<TVector>
        where TVector : struct
    {
        if (args.K == 0)
        {
            ScaleBlock(args, row0, row1, col0, col1);
            return;
        }

        int nr = 2 * TSimd.Width;
        var buffers = PackBuffers.ForThisThread;
        var packedA = buffers.A;
        var packedB = buffers.B;

        // K blocks of equal depth rather than Kc and a remainder: 784 as 4 x 196, not
        // 3 x 256 + 16, whose 16-deep block would pay a full C tile load and store for 16 FMAs.
        // A B stored (K, N) and only a few rows deep is read in place: packing it would cost
        // about as much as the few multiply-adds each packed value then serves.
        bool bInPlace = !args.TransposeB && args.K <= ShallowK;
        int kBlocks = (args.K + Kc - 1) / Kc;
        int kStep = (args.K + kBlocks - 1) / kBlocks;
        for (int jc = col0; jc < col1; jc += Nc)
        {
            int nc = Math.Min(Nc, col1 - jc);
            for (int pc = 0; pc < args.K; pc += kStep)
            {
                int kc = Math.Min(kStep, args.K - pc);

                // Only the first K block applies beta; later ones add onto what it wrote.
                float beta = pc == 0 ? args.Beta : 1;
                PackB(packedB, args, pc, kc, jc, nc, nr, raggedOnly: bInPlace);
                for (int ic = row0; ic < row1; ic += Mc)
                {
                    int mc = Math.Min(Mc, row1 - ic);
                    PackA(packedA, args, ic, mc, pc, kc);
                    ref float aInPlace = ref args.TransposeA ? ref args.A[((long)pc * args.M) + ic] : ref args.A[((long)ic * args.K) + pc];
                    ref float bCorner = ref bInPlace ? ref args.B[((long)pc * args.N) + jc] : ref packedB[0];
                    MacroKernel<TSimd, TVector>(
                        ref aInPlace, packedA, args, packedB, ref bCorner, bInPlace, ref args.C[((long)ic * args.N) + jc], mc, nc, kc, beta);
                }
            }
        }
    }

    /// <summary>
    /// One packed A block times one packed B panel into C (mc, nc). B slivers outside, A
    /// slivers inside: the (kc, nr) B sliver stays in L1 while the A block streams from L2.
    /// Ragged edge tiles run the same micro-kernel into a scratch tile, then copy the part
    /// that exists, so the micro-kernel never needs a bounds check. Full A slivers are read
    /// in place from aInPlace (op(A) at the block's corner); only a ragged one is packed: see PackA.
    /// </summary>
    private static void MacroKernel<TSimd, TVector>(
        ref float aInPlace, Span<float> packedA, GemmArgs args, Span<float> packedB, ref float bInPlace, bool readBInPlace,
        ref float c, int mc, int nc, int kc, float beta)
        where TSimd : struct, IGemmSimd<TVector>
        where TVector : struct
    {
        int nr = 2 * TSimd.Width;
        int ldc = args.N;
        float alpha = args.Alpha;

        // op(A)[r, p] is at r * rowStride + p * stepStride: A's own strides in place, the
        // packed sliver's ((Mr, kc) row-major, or (kc, Mr) when transposed) for a ragged one.
        nint inPlaceRowStride = args.TransposeA ? 1 : args.K;
        nint inPlaceStepStride = args.TransposeA ? args.M : 1;
        nint packedRowStride = args.TransposeA ? 1 : kc;
        nint packedStepStride = args.TransposeA ? Mr : 1;
        Span<float> scratch = stackalloc float[Mr * MaxNr];
        for (int jr = 0; jr < nc; jr += nr)
        {
            int tileCols = Math.Min(nr, nc - jr);
            // Full slivers of an in-place B are read at B's own row stride; ragged ones are packed.
            bool sliverInPlace = readBInPlace && tileCols == nr;
            ref float bSliver = ref sliverInPlace ? ref Unsafe.Add(ref bInPlace, jr) : ref packedB[jr * kc];
            nint bStepStride = sliverInPlace ? args.N : nr;
            for (int ir = 0; ir < mc; ir += Mr)
            {
                int tileRows = Math.Min(Mr, mc - ir);
                bool inPlace = tileRows == Mr;
                ref float aSliver = ref inPlace ? ref Unsafe.Add(ref aInPlace, ir * inPlaceRowStride) : ref packedA[0];
                nint aRowStride = inPlace ? inPlaceRowStride : packedRowStride;
                nint aStepStride = inPlace ? inPlaceStepStride : packedStepStride;
                ref float cTile = ref Unsafe.Add(ref c, ((nint)ir * ldc) + jr);
                if (tileRows == Mr && tileCols == nr)
                {
                    MicroKernel<TSimd, TVector>(kc, ref aSliver, aRowStride, aStepStride, ref bSliver, bStepStride, ref cTile, ldc, alpha, beta);
                    continue;
                }

                // A ragged tile at most one vector wide (N = 40 with 32-wide tiles leaves 8)
                // takes the half-width kernel: half the FMAs of a full tile for the same result.
                if (tileCols <= TSimd.Width)
                {
                    HalfMicroKernel<TSimd, TVector>(kc, ref aSliver, aRowStride, aStepStride, ref bSliver, ref scratch[0], nr, alpha);
                }
                else
                {
                    MicroKernel<TSimd, TVector>(kc, ref aSliver, aRowStride, aStepStride, ref bSliver, bStepStride, ref scratch[0], nr, alpha, 0);
                }

                for (int row = 0; row < tileRows; row++)
                {
                    var source = scratch.Slice(row * nr, tileCols);
                    var destination = MemoryMarshal.CreateSpan(ref Unsafe.Add(ref cTile, (nint)row * ldc), tileCols);
                    for (int col = 0; col < tileCols; col++)
                    {
                        // beta == 0 must not read C: it may hold NaN.
                        destination[col] = beta == 0 ? source[col] : source[col] + (beta * destination[col]);
                    }
                }
            }
        }
    }

    /// <summary>
    /// C (Mr, 2 W) = alpha * A sliver (Mr, kc) * B sliver (kc, 2 W) + beta * C. Each step of
    /// k loads two B vectors and broadcasts Mr A values: 2 Mr FMAs for Mr + 2 loads. A[r, p]
    /// is at a[r * aRowStride + p * aStepStride], so the A sliver may be packed in either
    /// orientation (broadcasts need no contiguity); B's 2 W values of each k are contiguous,
    /// bStepStride apart: nr in a packed sliver, N when B is read in place.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MicroKernel<TSimd, TVector>(
        int kc, ref float a, nint aRowStride, nint aStepStride, ref float b, nint bStepStride, ref float c, int ldc, float alpha, float beta)
        where TSimd : struct, IGemmSimd<TVector>
        where TVector : struct
    {
        int width = TSimd.Width;
        nint row2 = 2 * aRowStride, row3 = 3 * aRowStride, row4 = 4 * aRowStride, row5 = 5 * aRowStride;
        TVector c00 = TSimd.Zero, c01 = TSimd.Zero, c10 = TSimd.Zero, c11 = TSimd.Zero;
        TVector c20 = TSimd.Zero, c21 = TSimd.Zero, c30 = TSimd.Zero, c31 = TSimd.Zero;
        TVector c40 = TSimd.Zero, c41 = TSimd.Zero, c50 = TSimd.Zero, c51 = TSimd.Zero;
        for (int p = 0; p < kc; p++)
        {
            TVector b0 = TSimd.Load(ref b);
            TVector b1 = TSimd.Load(ref Unsafe.Add(ref b, width));
            TVector ai = TSimd.Broadcast(a);
            c00 = TSimd.MultiplyAdd(ai, b0, c00);
            c01 = TSimd.MultiplyAdd(ai, b1, c01);
            ai = TSimd.Broadcast(Unsafe.Add(ref a, aRowStride));
            c10 = TSimd.MultiplyAdd(ai, b0, c10);
            c11 = TSimd.MultiplyAdd(ai, b1, c11);
            ai = TSimd.Broadcast(Unsafe.Add(ref a, row2));
            c20 = TSimd.MultiplyAdd(ai, b0, c20);
            c21 = TSimd.MultiplyAdd(ai, b1, c21);
            ai = TSimd.Broadcast(Unsafe.Add(ref a, row3));
            c30 = TSimd.MultiplyAdd(ai, b0, c30);
            c31 = TSimd.MultiplyAdd(ai, b1, c31);
            ai = TSimd.Broadcast(Unsafe.Add(ref a, row4));
            c40 = TSimd.MultiplyAdd(ai, b0, c40);
            c41 = TSimd.MultiplyAdd(ai, b1, c41);
            ai = TSimd.Broadcast(Unsafe.Add(ref a, row5));
            c50 = TSimd.MultiplyAdd(ai, b0, c50);
            c51 = TSimd.MultiplyAdd(ai, b1, c51);
            a = ref Unsafe.Add(ref a, aStepStride);
            b = ref Unsafe.Add(ref b, bStepStride);
        }

        TVector alphas = TSimd.Broadcast(alpha);
        StoreRow<TSimd, TVector>(ref c, c00, c01, alphas, beta);
        StoreRow<TSimd, TVector>(ref Unsafe.Add(ref c, ldc), c10, c11, alphas, beta);
        StoreRow<TSimd, TVector>(ref Unsafe.Add(ref c, 2 * (nint)ldc), c20, c21, alphas, beta);
        StoreRow<TSimd, TVector>(ref Unsafe.Add(ref c, 3 * (nint)ldc), c30, c31, alphas, beta);
        StoreRow<TSimd, TVector>(ref Unsafe.Add(ref c, 4 * (nint)ldc), c40, c41, alphas, beta);
        StoreRow<TSimd, TVector>(ref Unsafe.Add(ref c, 5 * (nint)ldc), c50, c51, alphas, beta);
    }

    /// <summary>
    /// <see cref="MicroKernel"/> for the first vector of the B sliver only: C (Mr, W) =
    /// alpha * A sliver * B sliver[:, :W], into a scratch tile (so no beta). The sliver keeps
    /// its packed width 2 W per step of k; the second half is padding here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HalfMicroKernel<TSimd, TVector>(
        int kc, ref float a, nint aRowStride, nint aStepStride, ref float b, ref float c, int ldc, float alpha)
        where TSimd : struct, IGemmSimd<TVector>
        where TVector : struct
    {
        int width = TSimd.Width;
        nint row2 = 2 * aRowStride, row3 = 3 * aRowStride, row4 = 4 * aRowStride, row5 = 5 * aRowStride;
        TVector c0 = TSimd.Zero, c1 = TSimd.Zero, c2 = TSimd.Zero, c3 = TSimd.Zero, c4 = TSimd.Zero, c5 = TSimd.Zero;
        for (int p = 0; p < kc; p++)
        {
            TVector b0 = TSimd.Load(ref b);
            c0 = TSimd.MultiplyAdd(TSimd.Broadcast(a), b0, c0);
            c1 = TSimd.MultiplyAdd(TSimd.Broadcast(Unsafe.Add(ref a, aRowStride)), b0, c1);
            c2 = TSimd.MultiplyAdd(TSimd.Broadcast(Unsafe.Add(ref a, row2)), b0, c2);
            c3 = TSimd.MultiplyAdd(TSimd.Broadcast(Unsafe.Add(ref a, row3)), b0, c3);
            c4 = TSimd.MultiplyAdd(TSimd.Broadcast(Unsafe.Add(ref a, row4)), b0, c4);
            c5 = TSimd.MultiplyAdd(TSimd.Broadcast(Unsafe.Add(ref a, row5)), b0, c5);
            a = ref Unsafe.Add(ref a, aStepStride);
            b = ref Unsafe.Add(ref b, 2 * width);
        }

        TVector alphas = TSimd.Broadcast(alpha);
        TSimd.Store(TSimd.Multiply(c0, alphas), ref c);
        TSimd.Store(TSimd.Multiply(c1, alphas), ref Unsafe.Add(ref c, ldc));
        TSimd.Store(TSimd.Multiply(c2, alphas), ref Unsafe.Add(ref c, 2 * (nint)ldc));
        TSimd.Store(TSimd.Multiply(c3, alphas), ref Unsafe.Add(ref c, 3 * (nint)ldc));
        TSimd.Store(TSimd.Multiply(c4, alphas), ref Unsafe.Add(ref c, 4 * (nint)ldc));
        TSimd.Store(TSimd.Multiply(c5, alphas), ref Unsafe.Add(ref c, 5 * (nint)ldc));
    }

    /// <summary>One row of the C tile: alpha * sum, plus beta * C only when beta != 0 (C may hold NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TSimd, TVector>(ref float c, TVector sum0, TVector sum1, TVector alpha, float beta)
        where TSimd : struct, IGemmSimd<TVector>
        where TVector : struct
    {
        ref float c1 = ref Unsafe.Add(ref c, TSimd.Width);
        if (beta == 0)
        {
            TSimd.Store(TSimd.Multiply(sum0, alpha), ref c);
            TSimd.Store(TSimd.Multiply(sum1, alpha), ref c1);
            return;
        }

        TVector betas = TSimd.Broadcast(beta);
        TSimd.Store(TSimd.MultiplyAdd(sum0, alpha, TSimd.Multiply(TSimd.Load(ref c), betas)), ref c);
        TSimd.Store(TSimd.MultiplyAdd(sum1, alpha, TSimd.Multiply(TSimd.Load(ref c1), betas)), ref c1);
    }

    /// <summary>
    /// Packs the ragged last sliver (fewer than Mr rows) of op(A) rows [i0, i0 + mc), columns
    /// [p0, p0 + kc) into the start of packed, zero-padded to Mr rows so the micro-kernel can
    /// run on it unchanged. Full
    /// slivers are read in place: the micro-kernel only broadcasts A values, so it needs no
    /// contiguity, and each A value serves only nc / nr tiles (one or two at the model's
    /// small N), too few to pay back a copy. The copy keeps A's orientation, a run copy and
    /// never a transpose: (Mr, kc) row-major when A is stored (M, K), (kc, Mr) when (K, M).
    /// </summary>
    private static void PackA(Span<float> packed, GemmArgs args, int i0, int mc, int p0, int kc)
    {
        int rows = mc % Mr;
        if (rows == 0)
        {
            return;
        }

        var a = args.ASpan;
        var destination = packed[..(kc * Mr)];
        destination.Clear();
        int row0 = i0 + mc - rows;
        if (args.TransposeA)
        {
            // A is stored (K, M): each k step is a run of `rows` neighbours.
            for (int p = 0; p < kc; p++)
            {
                a.Slice(((p0 + p) * args.M) + row0, rows).CopyTo(destination.Slice(p * Mr, rows));
            }
        }
        else
        {
            // A is stored (M, K): each row of the sliver is a contiguous run of kc.
            for (int r = 0; r < rows; r++)
            {
                a.Slice(((row0 + r) * args.K) + p0, kc).CopyTo(destination.Slice(r * kc, kc));
            }
        }
    }

    /// <summary>
    /// Packs op(B) rows [p0, p0 + kc), columns [j0, j0 + nc) as slivers of nr columns, each
    /// stored k-major ((kc, nr), nr contiguous values per k). Columns past the panel are zero.
    /// With raggedOnly, full slivers are skipped: the macro-kernel reads those in place.
    /// </summary>
    private static unsafe void PackB(Span<float> packed, GemmArgs args, int p0, int kc, int j0, int nc, int nr, bool raggedOnly)
    {
        for (int sliver = 0; sliver < nc; sliver += nr)
        {
            var destination = packed.Slice(sliver * kc, kc * nr);
            int cols = Math.Min(nr, nc - sliver);
            if (raggedOnly && cols == nr)
            {
                continue;
            }

            if (cols < nr)
            {
                destination.Clear();
            }

            ref float target = ref destination[0];
            if (args.TransposeB)
            {
                // B is stored (N, K): each column of op(B) is a contiguous row of B, so this is
                // a transpose. 8x8 blocks go through AVX registers (8 loads and 8 stores per 64
                // values, where a scalar copy needs 64 of each); the rest is scalar, reading
                // rows whole and scattering with stride nr into this L1-sized sliver.
                int j = 0;
                if (Avx.IsSupported)
                {
                    for (; j + 8 <= cols; j += 8)
                    {
                        ref float rows = ref args.B[((long)(j0 + sliver + j) * args.K) + p0];
                        int p = 0;
                        for (; p + 8 <= kc; p += 8)
                        {
                            Transpose8x8(ref Unsafe.Add(ref rows, p), args.K, ref Unsafe.Add(ref target, (p * nr) + j), nr);
                        }

                        for (; p < kc; p++)
                        {
                            for (int i = 0; i < 8; i++)
                            {
                                Unsafe.Add(ref target, (p * nr) + j + i) = Unsafe.Add(ref rows, ((nint)i * args.K) + p);
                            }
                        }
                    }
                }

                for (; j < cols; j++)
                {
                    ref float source = ref args.B[((long)(j0 + sliver + j) * args.K) + p0];
                    for (int p = 0; p < kc; p++)
                    {
                        Unsafe.Add(ref target, (p * nr) + j) = Unsafe.Add(ref source, p);
                    }
                }
            }
            else
            {
                // B is stored (K, N): each k step of the sliver is a contiguous run of a row.
                var b = args.BSpan;
                for (int p = 0; p < kc; p++)
                {
                    b.Slice(((p0 + p) * args.N) + j0 + sliver, cols).CopyTo(destination.Slice(p * nr, cols));
                }
            }
        }
    }

    /// <summary>
    /// Writes the transpose of the 8x8 block whose rows start source + i * sourceStride to
    /// rows target + q * targetStride: the classic unpack / shuffle / lane-permute sequence.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref float source, nint sourceStride, ref float target, nint targetStride)
    {
        var r0 = Vector256.LoadUnsafe(ref source);
        var r1 = Vector256.LoadUnsafe(ref source, (nuint)sourceStride);
        var r2 = Vector256.LoadUnsafe(ref source, (nuint)(2 * sourceStride));
        var r3 = Vector256.LoadUnsafe(ref source, (nuint)(3 * sourceStride));
        var r4 = Vector256.LoadUnsafe(ref source, (nuint)(4 * sourceStride));
        var r5 = Vector256.LoadUnsafe(ref source, (nuint)(5 * sourceStride));
        var r6 = Vector256.LoadUnsafe(ref source, (nuint)(6 * sourceStride));
        var r7 = Vector256.LoadUnsafe(ref source, (nuint)(7 * sourceStride));

        // Pairs of rows interleaved: (r0[0], r1[0], r0[1], r1[1] | r0[4], r1[4], ...).
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);

        // Quads: (r0[q], r1[q], r2[q], r3[q]) for q and q + 4 in the two 128-bit lanes.
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);

        // Low lanes of rows 0-3 with low lanes of rows 4-7 give columns 0-3; high lanes give 4-7.
        Avx.Permute2x128(s0, s4, 0x20).StoreUnsafe(ref target);
        Avx.Permute2x128(s1, s5, 0x20).StoreUnsafe(ref target, (nuint)targetStride);
        Avx.Permute2x128(s2, s6, 0x20).StoreUnsafe(ref target, (nuint)(2 * targetStride));
        Avx.Permute2x128(s3, s7, 0x20).StoreUnsafe(ref target, (nuint)(3 * targetStride));
        Avx.Permute2x128(s0, s4, 0x31).StoreUnsafe(ref target, (nuint)(4 * targetStride));
        Avx.Permute2x128(s1, s5, 0x31).StoreUnsafe(ref target, (nuint)(5 * targetStride));
        Avx.Permute2x128(s2, s6, 0x31).StoreUnsafe(ref target, (nuint)(6 * targetStride));
        Avx.Permute2x128(s3, s7, 0x31).StoreUnsafe(ref target, (nuint)(7 * targetStride));
    }

    /// <summary>K == 0: op(A) op(B) is all zeros, so C = beta * C (and beta == 0 clears C, NaN included).</summary>
    private static void ScaleBlock(GemmArgs args, int row0, int row1, int col0, int col1)
    {
        for (int row = row0; row < row1; row++)
        {
            var cRow = args.CSpan.Slice((row * args.N) + col0, col1 - col0);
            for (int col = 0; col < cRow.Length; col++)
            {
                cRow[col] = args.Beta == 0 ? 0 : args.Beta * cRow[col];
            }
        }
    }

    private static void RequireLength(int actual, long required, string name)
    {
        if (actual < required)
        {
            throw new ArgumentException($"{name} has {actual} elements, the GEMM needs {required}", name);
        }
    }

    /// <summary>
    /// The operands as pointers: spans cannot live in the team's job state. Valid
    /// only inside Multiply's fixed block, which outlives every use.
    /// </summary>
    private readonly unsafe struct GemmArgs(
        float* c, float* a, bool transposeA, float* b, bool transposeB, float alpha, float beta, int m, int n, int k)
    {
        public readonly float* C = c;
        public readonly float* A = a;
        public readonly float* B = b;
        public readonly bool TransposeA = transposeA;
        public readonly bool TransposeB = transposeB;
        public readonly float Alpha = alpha;
        public readonly float Beta = beta;
        public readonly int M = m;
        public readonly int N = n;
        public readonly int K = k;

        public Span<float> CSpan => new(C, M * N);

        public ReadOnlySpan<float> ASpan => new(A, M * K);

        public ReadOnlySpan<float> BSpan => new(B, K * N);
    }

    /// <summary>
    /// Per-thread packing buffers, allocated once per thread at their largest size so no call
    /// allocates. Pinned and offset to 64 bytes so Vector512 loads never split a cache line.
    /// </summary>
    private sealed class PackBuffers
    {
        private const int Alignment = 64 / sizeof(float);

        [ThreadStatic]
        private static PackBuffers? current;

        private readonly float[] a = GC.AllocateUninitializedArray<float>((Mr * Kc) + Alignment, pinned: true);
        private readonly float[] b = GC.AllocateUninitializedArray<float>((Kc * Nc) + Alignment, pinned: true);

        public static PackBuffers ForThisThread => current ??= new PackBuffers();

        public Span<float> A => Aligned(a, Mr * Kc);

        public Span<float> B => Aligned(b, Kc * Nc);

        private static unsafe Span<float> Aligned(float[] array, int length)
        {
            nint address = (nint)Unsafe.AsPointer(ref array[0]);
            int offset = (int)((64 - (address % 64)) % 64) / sizeof(float);
            return array.AsSpan(offset, length);
        }
    }
}
