using GpuVae.Kernels;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels;

[Collection(nameof(AcceleratorCollection))]
public sealed class SamplingTests
{
    // Box-Muller in float vs the double reference: log and cos are a few ulp off and the
    // radius (up to 5.8 for 24-bit uniforms) scales that; GPUs may use approximate
    // transcendental instructions. 1e-5 absolute + 1e-5 relative holds with room.
    private static readonly Tolerance Normal = new(1e-5, 1e-5);

    // softplus and sigmoid in float against double: a few ulp (see ActivationTests).
    private static readonly Tolerance Transcendental = new(1e-6, 1e-5);

    private static readonly (int Rows, int Latent)[] Shapes = [(1, 1), (7, 2), (33, 7), (128, 100)];

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void GaussianHeadMatchesReference(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        foreach (var (rows, latent) in Shapes)
        {
            float[] h = inputs.Uniform(rows * 2 * latent, -5, 5);
            float[] mu = new float[rows * latent];
            float[] sigma = new float[rows * latent];
            Sampling.GaussianHeadReference(mu, sigma, h, rows, latent);
            using var head = DeviceData.Upload(backend, h, rows, 2 * latent);
            using var muOut = DeviceData.Poisoned(backend, rows, latent);
            using var sigmaOut = DeviceData.Poisoned(backend, rows, latent);
            backend.GaussianHead(muOut, sigmaOut, head);
            Compare.Identical(mu, DeviceData.Download(backend, muOut), $"{kind} mu ({rows}, {latent})");
            Compare.AllClose(sigma, DeviceData.Download(backend, sigmaOut), Transcendental, $"{kind} sigma ({rows}, {latent})");

            float[] dMu = inputs.Uniform(rows * latent);
            float[] dSigma = inputs.Uniform(rows * latent);
            float[] dh = new float[h.Length];
            Sampling.GaussianHeadBackwardReference(dh, dMu, dSigma, h, rows, latent);
            using var dMuIn = DeviceData.Upload(backend, dMu, rows, latent);
            using var dSigmaIn = DeviceData.Upload(backend, dSigma, rows, latent);
            using var dhOut = DeviceData.Poisoned(backend, rows, 2 * latent);
            backend.GaussianHeadBackward(dhOut, dMuIn, dSigmaIn, head);
            Compare.AllClose(dh, DeviceData.Download(backend, dhOut), Transcendental, $"{kind} dh ({rows}, {latent})");
        }
    }

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void ReparameterizeMatchesReference(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        ulong seed = inputs.NextSeed();
        foreach (var (rows, latent) in Shapes)
        {
            int length = rows * latent;
            float[] mu = inputs.Uniform(length);
            float[] sigma = inputs.Uniform(length, 0.01f, 2);
            float[] z = new float[length];
            float[] eps = new float[length];
            Sampling.ReparameterizeReference(z, eps, mu, sigma, seed, 5, length);
            using var muIn = DeviceData.Upload(backend, mu, rows, latent);
            using var sigmaIn = DeviceData.Upload(backend, sigma, rows, latent);
            using var zOut = DeviceData.Poisoned(backend, rows, latent);
            using var epsOut = DeviceData.Poisoned(backend, rows, latent);
            backend.Reparameterize(zOut, epsOut, muIn, sigmaIn, seed, 5);
            Compare.AllClose(eps, DeviceData.Download(backend, epsOut), Normal, $"{kind} eps ({rows}, {latent})");
            Compare.AllClose(z, DeviceData.Download(backend, zOut), Normal, $"{kind} z ({rows}, {latent})");

            float[] dz = inputs.Uniform(length);
            float[] dMu = new float[length];
            float[] dSigma = new float[length];
            Sampling.ReparameterizeBackwardReference(dMu, dSigma, dz, eps, length);
            using var dzIn = DeviceData.Upload(backend, dz, rows, latent);
            using var epsIn = DeviceData.Upload(backend, eps, rows, latent);
            using var dMuOut = DeviceData.Poisoned(backend, rows, latent);
            using var dSigmaOut = DeviceData.Poisoned(backend, rows, latent);
            backend.ReparameterizeBackward(dMuOut, dSigmaOut, dzIn, epsIn);
            Compare.Identical(dMu, DeviceData.Download(backend, dMuOut), $"{kind} dMu ({rows}, {latent})");
            Compare.Identical(dSigma, DeviceData.Download(backend, dSigmaOut), $"{kind} dSigma ({rows}, {latent})");
        }
    }

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

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void SaltAndPepperIsBitIdenticalToReference(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        ulong seed = inputs.NextSeed();
        foreach (var (rows, cols) in new[] { (1, 1), (7, 33), (128, 784) })
        {
            float[] x = inputs.Uniform(rows * cols, 0, 1);
            float[] expected = new float[x.Length];
            Sampling.SaltAndPepperReference(expected, x, 0.3f, seed, 9, x.Length);
            using var input = DeviceData.Upload(backend, x, rows, cols);
            using var output = DeviceData.Poisoned(backend, rows, cols);
            backend.SaltAndPepper(output, input, 0.3f, seed, 9);
            Compare.Identical(expected, DeviceData.Download(backend, output), $"{kind} salt and pepper ({rows}, {cols})");
        }
    }

    private static float[] Draw(IBackend backend, ulong seed, ulong stream)
    {
        using var zeros = backend.Allocate(128, 500);
        using var ones = backend.Allocate(128, 500);
        using var z = backend.Allocate(128, 500);
        using var eps = backend.Allocate(128, 500);
        backend.Fill(ones, 1);
        backend.Reparameterize(z, eps, zeros, ones, seed, stream);
        return DeviceData.Download(backend, eps);
    }
}
