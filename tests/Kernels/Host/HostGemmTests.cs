using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using GpuVae.Kernels.Operations;
using GpuVae.Kernels.Verification;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels.Host;

/// <summary>
/// HostGemm's own API: the default width, an empty K, short buffers. Its results at every
/// width this machine runs, against the reference, are cases of the kernel table
/// (KernelCaseTests through the host backend's OperationName.Gemm choice).
/// </summary>
public sealed class HostGemmTests(ITestOutputHelper output)
{
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

        Compare.Within(expected, actual, KernelCases.ToleranceOf(OperationName.Gemm), $"k = 0 alpha {alpha} beta {beta}");
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
}
