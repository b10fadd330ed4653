using System.Globalization;
using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using GpuVae.Kernels.Operations;
using GpuVae.Tests.Kernels.Host;
using GpuVae.Tests.Support;
using ILGPU;
using ILGPU.Runtime;
using Xunit;

namespace GpuVae.Tests.Kernels.Operations;

/// <summary>
/// Philox4x32-10 against the Random123 known-answer vectors (Random123 1.14,
/// examples/kat_vectors, lines "philox4x32 10"). Our generator is the standard one: Random123's
/// counter (c0, c1, c2, c3) and key (k0, k1) are our (element, low and high halves of stream,
/// purpose) and the low and high halves of seed. The vectors run through the scalar rounds
/// that kernels and references share, through every host vector generator, and through an
/// ILGPU kernel on every accelerator present, so a miscompiled 32 x 32 -> 64 multiply shows.
/// </summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class PhiloxKnownAnswerTests
{
    private static readonly (uint[] Counter, uint[] Key, uint[] Expected)[] Known =
    [
        ([0x00000000, 0x00000000, 0x00000000, 0x00000000], [0x00000000, 0x00000000], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]),
        ([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]),
        ([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]),
    ];

    public static TheoryData<int> Vectors => new(Enumerable.Range(0, Known.Length));

    // The host generators start at element 4 c0 (element e takes word e % 4 of block e / 4)
    // and take an int element, so only the vectors with c0 < 2^29 reach them (the zero one);
    // HostPhiloxTests ties them to the scalar rounds for every counter.
    public static TheoryData<int> HostVectors => new(Enumerable.Range(0, Known.Length).Where(v => Known[v].Counter[0] <= int.MaxValue >> 2));

    public static TheoryData<string, int> IlgpuKindsAndVectors()
    {
        var data = new TheoryData<string, int>();
        foreach (string kind in Accelerators.IlgpuNames)
        {
            for (int vector = 0; vector < Known.Length; vector++)
            {
                data.Add(kind, vector);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void ScalarRoundsGiveTheKnownAnswer(int vector)
    {
        var (counter, key, expected) = Known[vector];
        var (seed, stream, element, purpose) = Map(counter, key);
        var block = Philox.Generate(seed, stream, element, purpose);
        AssertBlock(expected, [block.X, block.Y, block.Z, block.W], $"Philox.Generate {Describe(counter, key)}");
    }

    [Theory]
    [MemberData(nameof(HostVectors))]
    public void EveryHostGeneratorGivesTheKnownAnswer(int vector)
    {
        var (counter, key, expected) = Known[vector];
        var (seed, stream, element, purpose) = Map(counter, key);
        foreach (var isa in Enum.GetValues<HostPhiloxIsa>().Where(HostPhilox.IsSupported))
        {
            uint[] words = new uint[4];
            HostPhilox.Generate(isa, words, seed, stream, purpose, (int)(element << 2));
            AssertBlock(expected, words, $"HostPhilox {isa} {Describe(counter, key)}");
        }
    }

    [Theory]
    [MemberData(nameof(IlgpuKindsAndVectors))]
    public void IlgpuKernelGivesTheKnownAnswer(string kind, int vector)
    {
        var accelerator = Accelerators.GetIlgpu(kind).Accelerator;
        var (counter, key, expected) = Known[vector];
        var (seed, stream, element, purpose) = Map(counter, key);
        var kernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<uint, Stride1D.Dense>, ulong, ulong, uint, uint>(GenerateKernel);
        using var output = accelerator.Allocate1D<uint>(4);
        output.MemSetToZero();
        kernel(1, output.View, seed, stream, element, purpose);
        accelerator.Synchronize();
        AssertBlock(expected, output.GetAsArray1D(), $"{kind} kernel {Describe(counter, key)}");
    }

    private static void GenerateKernel(Index1D index, ArrayView1D<uint, Stride1D.Dense> output, ulong seed, ulong stream, uint element, uint purpose)
    {
        var block = Philox.Generate(seed, stream, element, purpose);
        output[0] = block.X;
        output[1] = block.Y;
        output[2] = block.Z;
        output[3] = block.W;
    }

    /// <summary>Random123's (counter, key) as Philox.Generate's arguments.</summary>
    private static (ulong Seed, ulong Stream, uint Element, uint Purpose) Map(uint[] counter, uint[] key) =>
        (key[0] | ((ulong)key[1] << 32), counter[1] | ((ulong)counter[2] << 32), counter[0], counter[3]);

    private static string Describe(uint[] counter, uint[] key) =>
        string.Create(CultureInfo.InvariantCulture, $"counter {string.Join(' ', counter.Select(c => c.ToString("x8", CultureInfo.InvariantCulture)))} key {string.Join(' ', key.Select(k => k.ToString("x8", CultureInfo.InvariantCulture)))}");

    private static void AssertBlock(uint[] expected, uint[] actual, string what)
    {
        for (int i = 0; i < 4; i++)
        {
            Assert.True(
                expected[i] == actual[i],
                string.Create(CultureInfo.InvariantCulture, $"{what}: word {i} expected {expected[i]:x8}, actual {actual[i]:x8}"));
        }
    }
}
