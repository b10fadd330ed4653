using GpuVae.Kernels;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels.Operations;

[Collection(nameof(AcceleratorCollection))]
public sealed class SamplingTests
{
    /// <summary>
    /// n = 64000 draws: the sample mean has standard deviation 1 / sqrt(n) = 0.004 and the
    /// sample variance sqrt(2 / n) = 0.0056; five of each bound them. Seeds and streams
    /// give different draws, and a seed gives the same draws again.
    /// </summary>
    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void NoiseIsStandardNormalAndDeterministicPerSeed(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        ulong seed = inputs.NextSeed();
        float[] eps = Draw(backend, seed, 0);
        double mean = eps.Average(value => (double)value);
        double variance = eps.Sum(value => (value - mean) * (value - mean)) / (eps.Length - 1);
        Assert.True(Math.Abs(mean) <= 5 / Math.Sqrt(eps.Length), $"mean {mean}");
        Assert.True(Math.Abs(variance - 1) <= 5 * Math.Sqrt(2.0 / eps.Length), $"variance {variance}");
        Compare.Identical(eps, Draw(backend, seed, 0), $"{kind} eps rerun");
        Assert.NotEqual(eps, Draw(backend, seed + 1, 0));
        Assert.NotEqual(eps, Draw(backend, seed, 1));
    }
    private static float[] Draw(Backend backend, ulong seed, ulong stream)
    {
        using var zeros = backend.Allocate(128, 500);
        using var ones = backend.Allocate(128, 500);
        using var z = backend.Allocate(128, 500);
        using var eps = backend.Allocate(128, 500);
        backend.Fill(ones, 1);
        using var values = DeviceData.UploadStream(backend, stream, out var random);
        backend.Reparameterize(z, eps, zeros, ones, seed, random);
        return DeviceData.Download(backend, eps);
    }
}
