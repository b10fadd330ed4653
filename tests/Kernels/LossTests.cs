using GpuVae.Kernels;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels;

[Collection(nameof(AcceleratorCollection))]
public sealed class LossTests
{
    // Per-image sums of up to 784 float32 terms (each up to -log(1e-8) = 18.4) against double
    // sums: rounding grows like sqrt(n) * 2^-24 relative per term; 1e-4 absolute plus 1e-5
    // relative of the sum holds for B x D = 128 x 784.
    private static readonly Tolerance RowSum = new(1e-4, 1e-5);

    // Elementwise float arithmetic against double: a few ulp.
    private static readonly Tolerance Elementwise = new(1e-6, 1e-5);

    private static readonly (int Rows, int Cols)[] Shapes = [(1, 1), (7, 33), (33, 7), (128, 784), (500, 2)];

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void BinaryCrossEntropyMatchesReference(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        foreach (var (rows, cols) in Shapes)
        {
            float[] p = Probabilities(inputs, rows * cols);
            float[] t = inputs.Uniform(rows * cols, 0, 1);
            float[] loss = new float[rows];
            Losses.BinaryCrossEntropyReference(loss, p, t, rows, cols);
            // p = 0 and p = 1 are clamped, so every loss is finite: an infinity would compare equal to itself.
            Assert.All(loss, value => Assert.True(float.IsFinite(value), $"reference BCE {value}"));
            using var pIn = DeviceData.Upload(backend, p, rows, cols);
            using var tIn = DeviceData.Upload(backend, t, rows, cols);
            using var lossOut = DeviceData.Poisoned(backend, rows, 1);
            backend.BinaryCrossEntropy(lossOut, pIn, tIn);
            Compare.AllClose(loss, DeviceData.Download(backend, lossOut), RowSum, $"{kind} BCE ({rows}, {cols})");

            float scale = inputs.Scalar();
            float[] dLogits = new float[p.Length];
            Losses.BinaryCrossEntropyBackwardReference(dLogits, p, t, scale, p.Length);
            using var dOut = DeviceData.Poisoned(backend, rows, cols);
            backend.BinaryCrossEntropyBackward(dOut, pIn, tIn, scale);
            Compare.AllClose(dLogits, DeviceData.Download(backend, dOut), Elementwise, $"{kind} BCE backward ({rows}, {cols})");
        }
    }

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void KlDivergenceMatchesReference(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        foreach (var (rows, latent) in Shapes)
        {
            float[] mu = inputs.Uniform(rows * latent);
            float[] sigma = inputs.Uniform(rows * latent, 1e-3f, 2);
            float[] kl = new float[rows];
            Losses.KlDivergenceReference(kl, mu, sigma, rows, latent);
            using var muIn = DeviceData.Upload(backend, mu, rows, latent);
            using var sigmaIn = DeviceData.Upload(backend, sigma, rows, latent);
            using var klOut = DeviceData.Poisoned(backend, rows, 1);
            backend.KlDivergence(klOut, muIn, sigmaIn);
            Compare.AllClose(kl, DeviceData.Download(backend, klOut), RowSum, $"{kind} KL ({rows}, {latent})");

            // Backward accumulates into existing gradients.
            float scale = inputs.Scalar();
            float[] dMu = inputs.Uniform(mu.Length);
            float[] dSigma = inputs.Uniform(mu.Length);
            using var dMuInOut = DeviceData.Upload(backend, dMu, rows, latent);
            using var dSigmaInOut = DeviceData.Upload(backend, dSigma, rows, latent);
            Losses.KlDivergenceBackwardReference(dMu, dSigma, mu, sigma, scale, mu.Length);
            backend.KlDivergenceBackward(dMuInOut, dSigmaInOut, muIn, sigmaIn, scale);
            Compare.AllClose(dMu, DeviceData.Download(backend, dMuInOut), Elementwise, $"{kind} KL dMu ({rows}, {latent})");
            Compare.AllClose(dSigma, DeviceData.Download(backend, dSigmaInOut), Elementwise, $"{kind} KL dSigma ({rows}, {latent})");
        }
    }

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void LogPriorOverPosteriorMatchesReference(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        foreach (var (rows, latent) in Shapes)
        {
            float[] z = inputs.Uniform(rows * latent);
            float[] eps = inputs.Uniform(rows * latent);
            float[] sigma = inputs.Uniform(rows * latent, 1e-3f, 2);
            float[] weight = new float[rows];
            Losses.LogPriorOverPosteriorReference(weight, z, eps, sigma, rows, latent);
            using var zIn = DeviceData.Upload(backend, z, rows, latent);
            using var epsIn = DeviceData.Upload(backend, eps, rows, latent);
            using var sigmaIn = DeviceData.Upload(backend, sigma, rows, latent);
            using var weightOut = DeviceData.Poisoned(backend, rows, 1);
            backend.LogPriorOverPosterior(weightOut, zIn, epsIn, sigmaIn);
            Compare.AllClose(weight, DeviceData.Download(backend, weightOut), RowSum, $"{kind} log weight ({rows}, {latent})");
        }
    }

    /// <summary>Uniform probabilities with exact 0s and 1s mixed in, so the clamp and its zero gradient are exercised.</summary>
    private static float[] Probabilities(RandomInputs inputs, int length)
    {
        float[] p = inputs.Uniform(length, 0, 1);
        for (int i = 0; i < length; i += 5)
        {
            p[i] = i % 10 == 0 ? 0 : 1;
        }

        return p;
    }
}
