using System.Globalization;
using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using GpuVae.Kernels.Operations;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels.Host;

/// <summary>
/// HostPhilox against Philox.Generate bit for bit, every generator this machine runs: lengths
/// of 1, odd, and around the step's 128 x 500 = 64000 (none but 64000 a multiple of a vector
/// pass of 64 or 128 words), keys at the edges of their ranges as well as random ones, and
/// runs that start away from element 0. The Vector256 path is the one our AVX2-only training
/// machines take; on an AVX-512 machine, DOTNET_EnableAVX512=0 runs it as they compile it.
/// </summary>
public sealed class HostPhiloxTests
{
    /// <summary>Fills the words before the generator runs: any word it fails to write shows as a mismatch (unless Philox drew it, a 2^-32 chance).</summary>
    private const uint Poison = 0xDEAD_BEEF;

    private static readonly int[] Lengths = [1, 7, 33, 500, 64000, 64001];

    public static TheoryData<HostPhiloxIsa> Isas() => new(Enum.GetValues<HostPhiloxIsa>());

    [Theory]
    [MemberData(nameof(Isas))]
    public void GeneratorMatchesScalarPhilox(HostPhiloxIsa isa)
    {
        Assert.SkipUnless(HostPhilox.IsSupported(isa), $"{isa} is not hardware accelerated on this machine");
        var inputs = new RandomInputs();
        foreach (var (seed, stream, purpose, firstElement) in Keys(inputs))
        {
            foreach (int length in Lengths)
            {
                // An odd offset into a larger array: unaligned stores, and guards after the end.
                const int Offset = 3, Guard = 16;
                uint[] buffer = new uint[Offset + length + Guard];
                Array.Fill(buffer, Poison);
                var words = buffer.AsSpan(Offset, length);

                HostPhilox.Generate(isa, words, seed, stream, purpose, firstElement);

                string what = $"{isa} seed 0x{seed:X} stream 0x{stream:X} purpose {purpose} elements [{firstElement}, +{length})";
                AssertMatchesReference(words, seed, stream, purpose, firstElement, what);
                Assert.All(buffer[..Offset], word => Assert.Equal(Poison, word));
                Assert.All(buffer[(Offset + length)..], word => Assert.Equal(Poison, word));
            }
        }
    }

    [Fact]
    public void RunMustStartOnABlock()
    {
        uint[] words = new uint[8];
        foreach (int firstElement in new[] { 1, 2, 3, 65 })
        {
            Assert.Throws<ArgumentException>(() => HostPhilox.Generate(HostPhiloxIsa.Scalar, words, 1, 2, RandomPurpose.Dropout, firstElement));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => HostPhilox.Generate(HostPhiloxIsa.Scalar, words, 1, 2, RandomPurpose.Dropout, -4));
    }

    /// <summary>
    /// (seed, stream, purpose, first element): zeros and all-ones, words that set only a high
    /// half (a swapped or dropped half of the 64-bit seed or stream changes every block), each
    /// purpose, a run starting near the largest element index, and random keys.
    /// </summary>
    private static IEnumerable<(ulong Seed, ulong Stream, uint Purpose, int FirstElement)> Keys(RandomInputs inputs)
    {
        yield return (0, 0, RandomPurpose.Dropout, 0);
        yield return (ulong.MaxValue, ulong.MaxValue, uint.MaxValue, 0);
        yield return (1UL << 32, 1, RandomPurpose.Dropout, 0);
        yield return (1, 1UL << 32, RandomPurpose.Normal, 4);
        yield return (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210, RandomPurpose.SaltAndPepper, 64 * 1000);
        yield return (42, 7, RandomPurpose.Dropout, int.MaxValue - 3 - (4 * 16384));
        for (int i = 0; i < 10; i++)
        {
            yield return (inputs.NextSeed(), inputs.NextSeed(), (uint)inputs.Next(int.MaxValue), 4 * inputs.Next(1 << 20));
        }
    }

    /// <summary>words[i] against word (e % 4) of Philox.Generate's block e / 4, e = firstElement + i: Dropout.Keeps's mapping.</summary>
    private static void AssertMatchesReference(ReadOnlySpan<uint> words, ulong seed, ulong stream, uint purpose, int firstElement, string what)
    {
        var block = default(UInt4);
        for (int i = 0; i < words.Length; i++)
        {
            uint element = (uint)(firstElement + i);
            if (i == 0 || (element & 3) == 0)
            {
                block = Philox.Generate(seed, stream, element >> 2, purpose);
            }

            uint expected = (element & 3) switch
            {
                0 => block.X,
                1 => block.Y,
                2 => block.Z,
                _ => block.W,
            };
            if (words[i] != expected)
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{what}: first difference at [{i}] (element {element}): expected 0x{expected:X8}, actual 0x{words[i]:X8}"));
            }
        }
    }
}
