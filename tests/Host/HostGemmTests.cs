using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using Xunit;

namespace GpuVae.Tests.Host;

/// <summary>
/// HostGemm against Gemm.Reference: every micro-kernel width this machine runs, all four
/// transpose combinations, shapes that are 1, odd and not multiples of any block (Mr = 6,
/// Nr = 8/16/32, Kc = 256, Mc = 144, Nc = 1024), and the alpha/beta cases BLAS callers use.
/// </summary>
public sealed class HostGemmTests(ITestOutputHelper output)
{
    /// <summary>
    /// Absolute part of the tolerance. HostGemm accumulates in float32 (one rounding per FMA,
    /// in K blocks of 256), the reference in float64. For k <= 784 products of values in
    /// [-1, 1] the rounding errors add like a random walk, about sqrt(k) * 2^-24 * |partial
    /// sums| ~ 1e-5 here; the worst error measured over 240 runs (3 widths, 4 seeds, k up to
    /// 784, |alpha| and |beta| up to 2) was 3.6e-5. 1e-4 keeps a ~3x margin and still catches
    /// a dropped or doubled product (typically >= 1e-3).
    /// </summary>
    private const float Atol = 1e-4f;

    /// <summary>Relative part: the final alpha / beta scaling adds a few float32 ulps (2^-23 ~ 1.2e-7) of |C|.</summary>
    private const float Rtol = 1e-6f;

    /// <summary>
    /// (m, n, k): 1s, primes, the model's 500 and 784, every block boundary crossed (M past
    /// Mc, K past Kc, N past Nc), three above the threading threshold (2 m n k >= 2e6), split
    /// by rows (m > n) and by columns, and shallow ones (K <= 32) whose B is read in place, one
    /// of them past Nc and threaded. Small enough that the float64 reference keeps the whole
    /// class to seconds.
    /// </summary>
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (1, 7, 33), (7, 1, 500), (33, 7, 1), (7, 33, 784), (500, 33, 7),
        (33, 500, 784), (145, 49, 257), (6, 1100, 33), (300, 70, 130), (70, 300, 260), (130, 1100, 20),
    ];

    [Fact]
    public void DefaultOverloadUsesBestIsa()
    {
        var random = SeededRandom();
        const int m = 33, n = 500, k = 784;
        float[] a = RandomMatrix(random, m * k), b = RandomMatrix(random, n * k);
        float[] expected = Poisoned(m * n), actual = Poisoned(m * n);

        HostGemm.Multiply(HostGemm.BestIsa, expected, a, false, b, true, 1, 0, m, n, k);
        HostGemm.Multiply(actual, a, false, b, true, 1, 0, m, n, k);

        // The same kernel on the same inputs is deterministic: bit-for-bit equal.
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(0f, 0f)]
    [InlineData(1f, 0.5f)]
    public void EmptyKScalesC(float alpha, float beta)
    {
        const int m = 7, n = 33;
        var random = SeededRandom();
        float[] actual = beta == 0 ? Poisoned(m * n) : RandomMatrix(random, m * n);
        float[] expected = (float[])actual.Clone();

        Gemm.Reference(expected, [], false, [], false, alpha, beta, m, n, 0);
        HostGemm.Multiply(actual, [], false, [], false, alpha, beta, m, n, 0);

        AssertClose(expected, actual, $"k = 0 alpha {alpha} beta {beta}");
    }

    [Fact]
    public void ShortBuffersThrow()
    {
        float[] a = new float[7 * 33], b = new float[33 * 5], c = new float[7 * 5];
        Assert.Throws<ArgumentException>(() => HostGemm.Multiply(c, a.AsSpan(1), false, b, false, 1, 0, 7, 5, 33));
        Assert.Throws<ArgumentException>(() => HostGemm.Multiply(c, a, false, b.AsSpan(1), false, 1, 0, 7, 5, 33));
        Assert.Throws<ArgumentException>(() => HostGemm.Multiply(c.AsSpan(1), a, false, b, false, 1, 0, 7, 5, 33));
        Assert.Throws<ArgumentOutOfRangeException>(() => HostGemm.Multiply(c, a, false, b, false, 1, 0, -1, 5, 33));
    }

    private static bool IsSupported(HostGemmIsa isa) => isa switch
    {
        HostGemmIsa.Vector512 => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated,
        HostGemmIsa.Vector256 => System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated
            && System.Runtime.Intrinsics.X86.Fma.IsSupported,
        _ => true,
    };

    /// <summary>A fresh seed per test, logged so a failure can be replayed with GPUVAE_TEST_SEED.</summary>
    private Random SeededRandom()
    {
        string? fixedSeed = Environment.GetEnvironmentVariable("GPUVAE_TEST_SEED");
        int seed = fixedSeed is null ? Random.Shared.Next() : int.Parse(fixedSeed, System.Globalization.CultureInfo.InvariantCulture);
        output.WriteLine($"seed {seed} (rerun with GPUVAE_TEST_SEED={seed})");
        return new Random(seed);
    }

    private static float[] RandomMatrix(Random random, int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return x;
    }

    private static float[] Poisoned(int length)
    {
        var x = new float[length];
        Array.Fill(x, float.NaN);
        return x;
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        int worst = -1;
        double worstExcess = double.NegativeInfinity, largest = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double difference = Math.Abs((double)actual[i] - expected[i]);
            double bound = Atol + (Rtol * Math.Abs(expected[i]));

            // NaN differences count as failures: !(NaN <= bound).
            double excess = double.IsNaN(difference) ? double.PositiveInfinity : difference - bound;
            largest = double.IsNaN(difference) ? double.NaN : Math.Max(largest, difference);
            if (excess > worstExcess)
            {
                worstExcess = excess;
                worst = i;
            }
        }

        Assert.True(
            worst < 0 || worstExcess <= 0,
            $"{what}: c[{worst}] expected {expected[worst]}, actual {actual[worst]}, largest difference {largest}, bound {Atol} + {Rtol} * |expected|");
    }
}
