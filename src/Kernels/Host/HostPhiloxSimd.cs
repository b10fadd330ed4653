using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GpuVae.Kernels.Operations;

namespace GpuVae.Kernels.Host;

/// <summary>
/// The handful of vector operations HostPhilox's generator needs, over one vector of uint
/// lanes, one Philox counter per lane. The generator is generic over a struct implementing
/// this, so the JIT compiles one specialized copy per width with every call inlined: one
/// generator source, two widths.
/// </summary>
internal interface IPhiloxSimd<TVector>
    where TVector : struct
{
    /// <summary>Counters (blocks) per vector.</summary>
    static abstract int Lanes { get; }

    /// <summary>(0, 1, ..., Lanes - 1): each lane's block within a vector.</summary>
    static abstract TVector LaneIndices { get; }

    static abstract TVector Broadcast(uint value);

    static abstract TVector Add(TVector a, TVector b);

    static abstract TVector Xor(TVector a, TVector b);

    /// <summary>
    /// The 64-bit products a * m of each lane, as their high and low halves. vpmuludq
    /// multiplies the even lanes only, so the odd lanes are shifted down and multiplied
    /// separately; each half is then blended back from the two products.
    /// </summary>
    static abstract (TVector High, TVector Low) MultiplyWide(TVector a, TVector m);

    /// <summary>
    /// Writes the 4 * Lanes words of Lanes blocks (x, y, z, w hold word 0, 1, 2, 3 of each
    /// block, block k in lane k) in element order: a 4 x Lanes transpose.
    /// </summary>
    static abstract void StoreInElementOrder(ref uint destination, TVector x, TVector y, TVector z, TVector w);
}

/// <summary>AVX-512F: 16 counters per Vector512.</summary>
internal readonly struct PhiloxSimd512 : IPhiloxSimd<Vector512<uint>>
{
    public static int Lanes => Vector512<uint>.Count;

    public static Vector512<uint> LaneIndices => Vector512<uint>.Indices;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Broadcast(uint value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Add(Vector512<uint> a, Vector512<uint> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Xor(Vector512<uint> a, Vector512<uint> b) => a ^ b;

    /// <summary>The Vector256 version's shifts and blends with vpmuludq zmm; the blends are masked selects.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector512<uint> High, Vector512<uint> Low) MultiplyWide(Vector512<uint> a, Vector512<uint> m)
    {
        var oddLanes = Vector512.Create(0xFFFF_FFFF_0000_0000UL).AsUInt32();
        var even = Avx512F.Multiply(a, m).AsUInt32();
        var odd = Avx512F.Multiply(Avx512F.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), m).AsUInt32();
        var high = Vector512.ConditionalSelect(oddLanes, odd, Avx512F.ShiftRightLogical(even.AsUInt64(), 32).AsUInt32());
        var low = Vector512.ConditionalSelect(oddLanes, Avx512F.ShiftLeftLogical(odd.AsUInt64(), 32).AsUInt32(), even);
        return (high, low);
    }

    /// <summary>
    /// The 64 words of 16 blocks: unpacks within each 128-bit quarter leave blocks (k, 4 + k,
    /// 8 + k, 12 + k) in blockK, then a 4 x 4 transpose of quarters.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInElementOrder(ref uint destination, Vector512<uint> x, Vector512<uint> y, Vector512<uint> z, Vector512<uint> w)
    {
        var xy0 = Avx512F.UnpackLow(x, y).AsUInt64();
        var xy2 = Avx512F.UnpackHigh(x, y).AsUInt64();
        var zw0 = Avx512F.UnpackLow(z, w).AsUInt64();
        var zw2 = Avx512F.UnpackHigh(z, w).AsUInt64();
        var block0 = Avx512F.UnpackLow(xy0, zw0).AsUInt32();
        var block1 = Avx512F.UnpackHigh(xy0, zw0).AsUInt32();
        var block2 = Avx512F.UnpackLow(xy2, zw2).AsUInt32();
        var block3 = Avx512F.UnpackHigh(xy2, zw2).AsUInt32();

        // low01 = quarters (0, 1) of block0 then (0, 1) of block1; the others alike. The last
        // shuffles take quarter j of each of block0-3: blocks 4j to 4j + 3.
        var low01 = Avx512F.Shuffle4x128(block0, block1, 0b01_00_01_00);
        var low23 = Avx512F.Shuffle4x128(block2, block3, 0b01_00_01_00);
        var high01 = Avx512F.Shuffle4x128(block0, block1, 0b11_10_11_10);
        var high23 = Avx512F.Shuffle4x128(block2, block3, 0b11_10_11_10);
        Avx512F.Shuffle4x128(low01, low23, 0b10_00_10_00).StoreUnsafe(ref destination);
        Avx512F.Shuffle4x128(low01, low23, 0b11_01_11_01).StoreUnsafe(ref destination, 16);
        Avx512F.Shuffle4x128(high01, high23, 0b10_00_10_00).StoreUnsafe(ref destination, 32);
        Avx512F.Shuffle4x128(high01, high23, 0b11_01_11_01).StoreUnsafe(ref destination, 48);
    }
}

/// <summary>AVX2: 8 counters per Vector256.</summary>
internal readonly struct PhiloxSimd256 : IPhiloxSimd<Vector256<uint>>
{
    public static int Lanes => Vector256<uint>.Count;

    public static Vector256<uint> LaneIndices => Vector256<uint>.Indices;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Broadcast(uint value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Add(Vector256<uint> a, Vector256<uint> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Xor(Vector256<uint> a, Vector256<uint> b) => a ^ b;

    /// <summary>
    /// Widening to two Vector256&lt;ulong&gt;, multiplying and narrowing was 2x (AVX-512 on) to
    /// 3x (AVX-512 off) slower: AVX2 has no 64-bit multiply. vpmulld for the low half measured
    /// 6-10% faster here (an AMD EPYC), but has 10 cycles of latency on Intel's AVX2 cores
    /// against the shift and blend's two.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<uint> High, Vector256<uint> Low) MultiplyWide(Vector256<uint> a, Vector256<uint> m)
    {
        const byte OddLanes = 0b1010_1010;
        var even = Avx2.Multiply(a, m).AsUInt32();
        var odd = Avx2.Multiply(Avx2.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), m).AsUInt32();
        var high = Avx2.Blend(Avx2.ShiftRightLogical(even.AsUInt64(), 32).AsUInt32(), odd, OddLanes);
        var low = Avx2.Blend(even, Avx2.ShiftLeftLogical(odd.AsUInt64(), 32).AsUInt32(), OddLanes);
        return (high, low);
    }

    /// <summary>The 32 words of 8 blocks: unpacks within each 128-bit half, then swapping halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInElementOrder(ref uint destination, Vector256<uint> x, Vector256<uint> y, Vector256<uint> z, Vector256<uint> w)
    {
        // xy0 = (x0 y0 x1 y1 | x4 y4 x5 y5), xy2 = (x2 y2 x3 y3 | x6 y6 x7 y7), and zw alike.
        var xy0 = Avx2.UnpackLow(x, y).AsUInt64();
        var xy2 = Avx2.UnpackHigh(x, y).AsUInt64();
        var zw0 = Avx2.UnpackLow(z, w).AsUInt64();
        var zw2 = Avx2.UnpackHigh(z, w).AsUInt64();

        // block0 = (block 0 | block 4), block1 = (1 | 5), block2 = (2 | 6), block3 = (3 | 7).
        var block0 = Avx2.UnpackLow(xy0, zw0).AsUInt32();
        var block1 = Avx2.UnpackHigh(xy0, zw0).AsUInt32();
        var block2 = Avx2.UnpackLow(xy2, zw2).AsUInt32();
        var block3 = Avx2.UnpackHigh(xy2, zw2).AsUInt32();
        Avx2.Permute2x128(block0, block1, 0x20).StoreUnsafe(ref destination);
        Avx2.Permute2x128(block2, block3, 0x20).StoreUnsafe(ref destination, 8);
        Avx2.Permute2x128(block0, block1, 0x31).StoreUnsafe(ref destination, 16);
        Avx2.Permute2x128(block2, block3, 0x31).StoreUnsafe(ref destination, 24);
    }
}
