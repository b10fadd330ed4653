using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuVae.Kernels.Host;

/// <summary>
/// Philox4x32-10 words for a run of elements, many counters at a time: the bits of
/// <see cref="Philox.Generate"/>, laid out as <see cref="Dropout.Keeps"/> reads them (element
/// i takes word i % 4 of block i / 4). Each vector lane carries one counter through the ten
/// rounds, so a Vector256 hashes 8 blocks (32 words) at once, and a 4 x 8 transpose puts
/// the words back in element order.
/// </summary>
public static class HostPhilox
{
    /// <summary>The widest generator this machine runs natively.</summary>
    public static HostPhiloxIsa BestIsa { get; } =
        IsSupported(HostPhiloxIsa.Vector512) ? HostPhiloxIsa.Vector512
        : IsSupported(HostPhiloxIsa.Vector256) ? HostPhiloxIsa.Vector256
        : HostPhiloxIsa.Scalar;

    /// <summary>Whether this machine runs the given generator natively.</summary>
    public static bool IsSupported(HostPhiloxIsa isa) => isa switch
    {
        HostPhiloxIsa.Vector512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        HostPhiloxIsa.Vector256 => Vector256.IsHardwareAccelerated && Avx2.IsSupported,
        HostPhiloxIsa.Scalar => true,
        _ => false,
    };

    /// <summary>
    /// words[i] = the Philox word of element firstElement + i under (seed, stream, purpose),
    /// with the widest generator this machine runs.
    /// </summary>
    public static void Generate(Span<uint> words, ulong seed, ulong stream, uint purpose, int firstElement) =>
        Generate(BestIsa, words, seed, stream, purpose, firstElement);

    /// <summary>
    /// words[i] = word (firstElement + i) % 4 of the Philox block (firstElement + i) / 4 under
    /// (seed, stream, purpose), with the given generator, so that tests and benchmarks can run
    /// the narrower ones on a machine that would not pick them. firstElement is a multiple of
    /// 4, so the run starts on a block; it may end inside one.
    /// </summary>
    public static void Generate(HostPhiloxIsa isa, Span<uint> words, ulong seed, ulong stream, uint purpose, int firstElement)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstElement);
        if ((firstElement & 3) != 0)
        {
            throw new ArgumentException($"first element {firstElement} is not the start of a Philox block (a multiple of 4)", nameof(firstElement));
        }

        uint firstBlock = (uint)firstElement >> 2;
        int done = isa switch
        {
            HostPhiloxIsa.Vector512 when IsSupported(isa) => Generate512(words, seed, stream, purpose, firstBlock),
            HostPhiloxIsa.Vector256 when IsSupported(isa) => Generate256(words, seed, stream, purpose, firstBlock),
            HostPhiloxIsa.Scalar => 0,
            _ => throw new PlatformNotSupportedException($"{isa} is not hardware accelerated here"),
        };
        GenerateScalar(words[done..], seed, stream, purpose, firstBlock + (uint)(done >> 2));
    }

    /// <summary>One block at a time; also the vector generators' tail of fewer than a pass's words.</summary>
    private static void GenerateScalar(Span<uint> words, ulong seed, ulong stream, uint purpose, uint firstBlock)
    {
        int i = 0;
        for (; i <= words.Length - 4; i += 4)
        {
            var block = Philox.Generate(seed, stream, firstBlock + (uint)(i >> 2), purpose);
            words[i] = block.X;
            words[i + 1] = block.Y;
            words[i + 2] = block.Z;
            words[i + 3] = block.W;
        }

        if (i < words.Length)
        {
            var block = Philox.Generate(seed, stream, firstBlock + (uint)(i >> 2), purpose);
            Span<uint> last = [block.X, block.Y, block.Z, block.W];
            last[..(words.Length - i)].CopyTo(words[i..]);
        }
    }

    /// <summary>
    /// Two independent sets of 8 counters per pass: a round is a chain of dependent shift,
    /// multiply, blend and xor, so with one set the core mostly waits on latency. Two sets
    /// fill 12 of AVX2's 16 registers; four spill and ran slower (64000 words on one core of
    /// this machine with AVX-512 off: one set 51 us, two 37 us, four 44 us; scalar 165 us).
    /// </summary>
    /// <returns>How many words were written: whole passes of 64, the rest left to the scalar tail.</returns>
    private static int Generate256(Span<uint> words, ulong seed, ulong stream, uint purpose, uint firstBlock)
    {
        const int WordsPerPass = 2 * 4 * 8;
        ref uint destination = ref MemoryMarshal.GetReference(words);
        var lanes = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
        var multiplierA = Vector256.Create(Philox.MultiplierA);
        var multiplierB = Vector256.Create(Philox.MultiplierB);
        int done = 0;
        for (; done <= words.Length - WordsPerPass; done += WordsPerPass)
        {
            // The counter (block, stream low, stream high, purpose) of Philox.Generate, one block per lane.
            var x0 = Vector256.Create(firstBlock + (uint)(done >> 2)) + lanes;
            var x1 = x0 + Vector256.Create(8u);
            var y0 = Vector256.Create((uint)stream);
            var y1 = y0;
            var z0 = Vector256.Create((uint)(stream >> 32));
            var z1 = z0;
            var w0 = Vector256.Create(purpose);
            var w1 = w0;
            var keyA = Vector256.Create((uint)seed);
            var keyB = Vector256.Create((uint)(seed >> 32));
            for (int round = 0; round < Philox.Rounds; round++)
            {
                var (highA0, lowA0) = MultiplyWide(x0, multiplierA);
                var (highB0, lowB0) = MultiplyWide(z0, multiplierB);
                var (highA1, lowA1) = MultiplyWide(x1, multiplierA);
                var (highB1, lowB1) = MultiplyWide(z1, multiplierB);
                x0 = highB0 ^ y0 ^ keyA;
                y0 = lowB0;
                z0 = highA0 ^ w0 ^ keyB;
                w0 = lowA0;
                x1 = highB1 ^ y1 ^ keyA;
                y1 = lowB1;
                z1 = highA1 ^ w1 ^ keyB;
                w1 = lowA1;
                keyA += Vector256.Create(Philox.KeyStepA);
                keyB += Vector256.Create(Philox.KeyStepB);
            }

            StoreInElementOrder(ref Unsafe.Add(ref destination, done), x0, y0, z0, w0);
            StoreInElementOrder(ref Unsafe.Add(ref destination, done + 32), x1, y1, z1, w1);
        }

        return done;
    }

    /// <summary>
    /// The 64-bit products a * m of 8 lanes, as their high and low halves. vpmuludq multiplies
    /// the even lanes only, so the odd lanes are shifted down and multiplied separately; each
    /// half is then blended back from the two products. Widening to two Vector256&lt;ulong&gt;,
    /// multiplying and narrowing was 2x (AVX-512 on) to 3x (AVX-512 off) slower: AVX2 has no
    /// 64-bit multiply. vpmulld for the low half measured 6-10% faster here (an AMD EPYC), but
    /// has 10 cycles of latency on Intel's AVX2 cores against the shift and blend's two.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint> High, Vector256<uint> Low) MultiplyWide(Vector256<uint> a, Vector256<uint> m)
    {
        const byte OddLanes = 0b1010_1010;
        var even = Avx2.Multiply(a, m).AsUInt32();
        var odd = Avx2.Multiply(Avx2.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), m).AsUInt32();
        var high = Avx2.Blend(Avx2.ShiftRightLogical(even.AsUInt64(), 32).AsUInt32(), odd, OddLanes);
        var low = Avx2.Blend(even, Avx2.ShiftLeftLogical(odd.AsUInt64(), 32).AsUInt32(), OddLanes);
        return (high, low);
    }

    /// <summary>
    /// Writes the 32 words of 8 blocks (x, y, z, w hold word 0, 1, 2, 3 of blocks 0-7) in
    /// element order: a 4 x 8 transpose, unpacks within each 128-bit half, then swapping halves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreInElementOrder(ref uint destination, Vector256<uint> x, Vector256<uint> y, Vector256<uint> z, Vector256<uint> w)
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

    /// <summary>
    /// <see cref="Generate256"/> at twice the width: two sets of 16 counters per pass (64000
    /// words on one core of this machine: 18 us against the Vector256 generator's 32 us).
    /// </summary>
    private static int Generate512(Span<uint> words, ulong seed, ulong stream, uint purpose, uint firstBlock)
    {
        const int WordsPerPass = 2 * 4 * 16;
        ref uint destination = ref MemoryMarshal.GetReference(words);
        var lanes = Vector512.Create(0u, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var multiplierA = Vector512.Create(Philox.MultiplierA);
        var multiplierB = Vector512.Create(Philox.MultiplierB);
        int done = 0;
        for (; done <= words.Length - WordsPerPass; done += WordsPerPass)
        {
            var x0 = Vector512.Create(firstBlock + (uint)(done >> 2)) + lanes;
            var x1 = x0 + Vector512.Create(16u);
            var y0 = Vector512.Create((uint)stream);
            var y1 = y0;
            var z0 = Vector512.Create((uint)(stream >> 32));
            var z1 = z0;
            var w0 = Vector512.Create(purpose);
            var w1 = w0;
            var keyA = Vector512.Create((uint)seed);
            var keyB = Vector512.Create((uint)(seed >> 32));
            for (int round = 0; round < Philox.Rounds; round++)
            {
                var (highA0, lowA0) = MultiplyWide(x0, multiplierA);
                var (highB0, lowB0) = MultiplyWide(z0, multiplierB);
                var (highA1, lowA1) = MultiplyWide(x1, multiplierA);
                var (highB1, lowB1) = MultiplyWide(z1, multiplierB);
                x0 = highB0 ^ y0 ^ keyA;
                y0 = lowB0;
                z0 = highA0 ^ w0 ^ keyB;
                w0 = lowA0;
                x1 = highB1 ^ y1 ^ keyA;
                y1 = lowB1;
                z1 = highA1 ^ w1 ^ keyB;
                w1 = lowA1;
                keyA += Vector512.Create(Philox.KeyStepA);
                keyB += Vector512.Create(Philox.KeyStepB);
            }

            StoreInElementOrder(ref Unsafe.Add(ref destination, done), x0, y0, z0, w0);
            StoreInElementOrder(ref Unsafe.Add(ref destination, done + 64), x1, y1, z1, w1);
        }

        return done;
    }

    /// <summary><see cref="MultiplyWide(Vector256{uint}, Vector256{uint})"/> on 16 lanes with vpmuludq zmm.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<uint> High, Vector512<uint> Low) MultiplyWide(Vector512<uint> a, Vector512<uint> m)
    {
        var oddLanes = Vector512.Create(0xFFFF_FFFF_0000_0000UL).AsUInt32();
        var even = Avx512F.Multiply(a, m).AsUInt32();
        var odd = Avx512F.Multiply(Avx512F.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), m).AsUInt32();
        var high = Vector512.ConditionalSelect(oddLanes, odd, Avx512F.ShiftRightLogical(even.AsUInt64(), 32).AsUInt32());
        var low = Vector512.ConditionalSelect(oddLanes, Avx512F.ShiftLeftLogical(odd.AsUInt64(), 32).AsUInt32(), even);
        return (high, low);
    }

    /// <summary>
    /// Writes the 64 words of 16 blocks in element order: unpacks within each 128-bit quarter
    /// leave blocks (k, 4 + k, 8 + k, 12 + k) in blockK, then a 4 x 4 transpose of quarters.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreInElementOrder(ref uint destination, Vector512<uint> x, Vector512<uint> y, Vector512<uint> z, Vector512<uint> w)
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
