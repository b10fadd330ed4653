using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GpuVae.Kernels.Operations;

namespace GpuVae.Kernels.Host;

/// <summary>
/// Philox4x32-10 words for a run of elements, many counters at a time: the bits of
/// <see cref="Philox.Generate"/>, laid out as <see cref="Dropout.Keeps"/> reads them (element
/// i takes word i % 4 of block i / 4). Each vector lane carries one counter through the ten
/// rounds, so a Vector256 hashes 8 blocks (32 words) at once, and a 4 x 8 transpose puts
/// the words back in element order. The vector generator is written once, generic over the
/// width (<see cref="IPhiloxSimd{TVector}"/>), like HostGemm's micro-kernel.
/// </summary>
internal static class HostPhilox
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
        _ => throw new ArgumentOutOfRangeException(nameof(isa), isa, "no such Philox generator"),
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
            HostPhiloxIsa.Vector512 when IsSupported(isa) => GenerateVector<PhiloxSimd512, Vector512<uint>>(words, seed, stream, purpose, firstBlock),
            HostPhiloxIsa.Vector256 when IsSupported(isa) => GenerateVector<PhiloxSimd256, Vector256<uint>>(words, seed, stream, purpose, firstBlock),
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
    /// Two independent sets of TSimd.Lanes counters per pass: a round is a chain of dependent
    /// shift, multiply, blend and xor, so with one set the core mostly waits on latency. Two
    /// sets fill 12 of AVX2's 16 registers; four spill and ran slower (64000 words on one core
    /// of this machine with AVX-512 off: one set 51 us, two 37 us, four 44 us; scalar 165 us).
    /// Vector512 runs the same source at twice the width (18 us against Vector256's 32 us).
    /// </summary>
    /// <returns>How many words were written: whole passes of 8 * TSimd.Lanes, the rest left to the scalar tail.</returns>
    private static int GenerateVector<TSimd, TVector>(Span<uint> words, ulong seed, ulong stream, uint purpose, uint firstBlock)
        where TSimd : struct, IPhiloxSimd<TVector>
        where TVector : struct
    {
        int wordsPerSet = 4 * TSimd.Lanes;
        int wordsPerPass = 2 * wordsPerSet;
        ref uint destination = ref MemoryMarshal.GetReference(words);
        var multiplierA = TSimd.Broadcast(Philox.MultiplierA);
        var multiplierB = TSimd.Broadcast(Philox.MultiplierB);
        int done = 0;
        for (; done <= words.Length - wordsPerPass; done += wordsPerPass)
        {
            // The counter (block, stream low, stream high, purpose) of Philox.Generate, one block per lane.
            var x0 = TSimd.Add(TSimd.Broadcast(firstBlock + (uint)(done >> 2)), TSimd.LaneIndices);
            var x1 = TSimd.Add(x0, TSimd.Broadcast((uint)TSimd.Lanes));
            var y0 = TSimd.Broadcast((uint)stream);
            var y1 = y0;
            var z0 = TSimd.Broadcast((uint)(stream >> 32));
            var z1 = z0;
            var w0 = TSimd.Broadcast(purpose);
            var w1 = w0;
            var keyA = TSimd.Broadcast((uint)seed);
            var keyB = TSimd.Broadcast((uint)(seed >> 32));
            for (int round = 0; round < Philox.Rounds; round++)
            {
                var (highA0, lowA0) = TSimd.MultiplyWide(x0, multiplierA);
                var (highB0, lowB0) = TSimd.MultiplyWide(z0, multiplierB);
                var (highA1, lowA1) = TSimd.MultiplyWide(x1, multiplierA);
                var (highB1, lowB1) = TSimd.MultiplyWide(z1, multiplierB);
                x0 = TSimd.Xor(TSimd.Xor(highB0, y0), keyA);
                y0 = lowB0;
                z0 = TSimd.Xor(TSimd.Xor(highA0, w0), keyB);
                w0 = lowA0;
                x1 = TSimd.Xor(TSimd.Xor(highB1, y1), keyA);
                y1 = lowB1;
                z1 = TSimd.Xor(TSimd.Xor(highA1, w1), keyB);
                w1 = lowA1;
                keyA = TSimd.Add(keyA, TSimd.Broadcast(Philox.KeyStepA));
                keyB = TSimd.Add(keyB, TSimd.Broadcast(Philox.KeyStepB));
            }

            TSimd.StoreInElementOrder(ref Unsafe.Add(ref destination, done), x0, y0, z0, w0);
            TSimd.StoreInElementOrder(ref Unsafe.Add(ref destination, done + wordsPerSet), x1, y1, z1, w1);
        }

        return done;
    }
}
