using GpuVae.Kernels;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels.Operations;

/// <summary>
/// The salt-and-pepper corruption's statistics on every backend: over a million pixels the
/// shares set to 0 and to 1 are each fraction / 2, every other pixel is its input bit for bit,
/// and another seed or another stream draws an independent mask.
/// </summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class SaltAndPepperStatisticsTests
{
    // (1000, 1000): a binomial share of N = 1e6 pixels has a standard deviation of at most
    // 0.0005, so a 1% error in either half of the fraction is ten of them.
    private const int Rows = 1000;
    private const int Cols = 1000;

    // Five standard deviations of a binomial count: a false alarm once in 3.5 million runs.
    private const double Sigmas = 5;

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void SharesOfZerosAndOnesAreHalfTheFractionEachAndTheRestIsUnchanged(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        // Inputs strictly inside (0, 1), so a 0 or a 1 in the output was set by the corruption.
        float[] x = inputs.Uniform(Rows * Cols, 0.25f, 0.75f);
        using var input = DeviceData.Upload(backend, x, Rows, Cols);
        foreach (float fraction in new[] { 0.02f, 0.3f, 0.5f, 1.0f })
        {
            ulong seed = inputs.NextSeed(), stream = inputs.NextSeed();
            float[] y = Corrupt(backend, input, fraction, seed, stream);
            string what = $"{kind} fraction {fraction} seed {seed} stream {stream} (inputs seed {inputs.Seed})";
            int zeros = 0, ones = 0;
            for (int i = 0; i < y.Length; i++)
            {
                if (y[i] == 0)
                {
                    zeros++;
                }
                else if (y[i] == 1)
                {
                    ones++;
                }
                else if (BitConverter.SingleToInt32Bits(y[i]) != BitConverter.SingleToInt32Bits(x[i]))
                {
                    Assert.Fail($"{what}: [{i}] expected the input {x[i]:R} or 0 or 1, actual {y[i]:R}");
                }
            }

            AssertBinomial(zeros, y.Length, fraction / 2.0, $"{what}: pixels set to 0");
            AssertBinomial(ones, y.Length, fraction / 2.0, $"{what}: pixels set to 1");
            Compare.Identical(y, Corrupt(backend, input, fraction, seed, stream), $"{what}: rerun");
        }
    }

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void OtherSeedsAndStreamsDrawIndependentMasks(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        const float Fraction = 0.5f;
        float[] x = inputs.Uniform(Rows * Cols, 0.25f, 0.75f);
        using var input = DeviceData.Upload(backend, x, Rows, Cols);
        ulong seed = inputs.NextSeed(), stream = inputs.NextSeed();
        bool[] mask = Mask(Corrupt(backend, input, Fraction, seed, stream), x);
        foreach (var (otherSeed, otherStream) in new[] { (seed + 1, stream), (seed, stream + 1), (seed ^ (1UL << 63), stream), (seed, stream ^ (1UL << 63)) })
        {
            bool[] other = Mask(Corrupt(backend, input, Fraction, otherSeed, otherStream), x);
            // Independent masks corrupt a pixel in both with probability fraction^2.
            int both = mask.Zip(other).Count(pair => pair.First && pair.Second);
            AssertBinomial(
                both, mask.Length, (double)Fraction * Fraction,
                $"{kind} pixels corrupted under both (seed {seed}, stream {stream}) and (seed {otherSeed}, stream {otherStream}) (inputs seed {inputs.Seed})");
        }
    }

    private static float[] Corrupt(Backend backend, Tensor input, float fraction, ulong seed, ulong stream)
    {
        using var output = DeviceData.Poisoned(backend, Rows, Cols);
        using var values = DeviceData.UploadStream(backend, stream, out var random);
        backend.SaltAndPepper(output, input, fraction, seed, random);
        return DeviceData.Download(backend, output);
    }

    private static bool[] Mask(float[] y, float[] x) => [.. y.Select((value, i) => BitConverter.SingleToInt32Bits(value) != BitConverter.SingleToInt32Bits(x[i]))];

    private static void AssertBinomial(int count, int trials, double probability, string what)
    {
        double expected = trials * probability;
        double allowed = Sigmas * Math.Sqrt(trials * probability * (1 - probability));
        Assert.True(
            Math.Abs(count - expected) <= allowed,
            $"{what}: {count} of {trials}, expected {expected:F0} +- {allowed:F0} ({Sigmas} sigma)");
    }
}
