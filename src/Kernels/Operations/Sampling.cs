using GpuVae.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;
using IntView = ILGPU.Runtime.ArrayView1D<int, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels.Operations;

/// <summary>
/// The encoder's Gaussian head, the reparameterization trick z = mu + sigma * eps with
/// eps ~ N(0, 1), and the random maps of pixels: salt-and-pepper corruption and Bernoulli
/// binarization. Random draws come from Philox with the element index as counter, so they do
/// not depend on the launch shape.
/// </summary>
public static class Sampling
{
    /// <summary>The TensorFlow original adds 1e-6 to softplus so that sigma never reaches zero.</summary>
    public const float MinimumSigma = 1e-6f;

    /// <summary>mu (B, Z) = h[:, :Z]; sigma (B, Z) = 1e-6 + softplus(h[:, Z:]) for h (B, 2Z).</summary>
    public static void GaussianHeadReference(Span<float> mu, Span<float> sigma, ReadOnlySpan<float> h, int rows, int latent)
    {
        for (int row = 0; row < rows; row++)
        {
            for (int j = 0; j < latent; j++)
            {
                mu[(row * latent) + j] = h[(row * 2 * latent) + j];
                double raw = h[(row * 2 * latent) + latent + j];
                sigma[(row * latent) + j] = (float)(MinimumSigma + Activations.ForwardReference(Activation.Softplus, raw));
            }
        }
    }

    /// <summary>dh (B, 2Z) = [dMu, dSigma * softplus'(h[:, Z:])].</summary>
    public static void GaussianHeadBackwardReference(
        Span<float> dh, ReadOnlySpan<float> dMu, ReadOnlySpan<float> dSigma, ReadOnlySpan<float> h, int rows, int latent)
    {
        for (int row = 0; row < rows; row++)
        {
            for (int j = 0; j < latent; j++)
            {
                int raw = (row * 2 * latent) + latent + j;
                dh[(row * 2 * latent) + j] = dMu[(row * latent) + j];
                dh[raw] = (float)(dSigma[(row * latent) + j] * Activations.DerivativeReference(Activation.Softplus, h[raw]));
            }
        }
    }

    /// <summary>Box-Muller on the first two words of element's Philox block, in double.</summary>
    public static double StandardNormalReference(ulong seed, ulong stream, int element)
    {
        var bits = Philox.Generate(seed, stream, (uint)element, RandomPurpose.Normal);
        double radius = Math.Sqrt(-2 * Math.Log(Philox.UniformOpenBelow(bits.X)));
        return radius * Math.Cos(2 * Math.PI * Philox.UniformOpenAbove(bits.Y));
    }

    /// <summary>eps = N(0, 1) draws; z = mu + sigma * eps.</summary>
    public static void ReparameterizeReference(
        Span<float> z, Span<float> eps, ReadOnlySpan<float> mu, ReadOnlySpan<float> sigma, ulong seed, ulong stream, int length)
    {
        for (int i = 0; i < length; i++)
        {
            eps[i] = (float)StandardNormalReference(seed, stream, i);
            z[i] = mu[i] + (sigma[i] * eps[i]);
        }
    }

    /// <summary>dMu = dz; dSigma = dz * eps.</summary>
    public static void ReparameterizeBackwardReference(
        Span<float> dMu, Span<float> dSigma, ReadOnlySpan<float> dz, ReadOnlySpan<float> eps, int length)
    {
        for (int i = 0; i < length; i++)
        {
            dMu[i] = dz[i];
            dSigma[i] = dz[i] * eps[i];
        }
    }

    /// <summary>y = 0 with probability fraction / 2, 1 with probability fraction / 2, else x.</summary>
    public static void SaltAndPepperReference(Span<float> y, ReadOnlySpan<float> x, float fraction, ulong seed, ulong stream, int length)
    {
        for (int i = 0; i < length; i++)
        {
            double u = Philox.UniformOpenAbove(Philox.Generate(seed, stream, (uint)i, RandomPurpose.SaltAndPepper).X);
            y[i] = u < fraction / 2.0 ? 0 : u < fraction ? 1 : x[i];
        }
    }

    /// <summary>y = 1 with probability x, else 0: u &lt; x for u uniform in [0, 1), so 0 stays 0 and 1 stays 1.</summary>
    public static void BinarizeReference(Span<float> y, ReadOnlySpan<float> x, ulong seed, ulong stream, int length)
    {
        for (int i = 0; i < length; i++)
        {
            double u = Philox.UniformOpenAbove(Philox.Generate(seed, stream, (uint)i, RandomPurpose.Binarize).X);
            y[i] = u < x[i] ? 1f : 0f;
        }
    }

    /// <summary>mu = h[:, :Z]; sigma = 1e-6 + softplus(h[:, Z:]); grid-stride over the (B, Z) outputs.</summary>
    internal static void GaussianHeadKernel(FloatView mu, FloatView sigma, FloatView h, int rows, int latent)
    {
        int stride = Launch.Step;
        for (int e = Launch.Start; e < rows * latent; e += stride)
        {
            int start = (e / latent * 2 * latent) + (e % latent);
            mu[e] = h[start];
            sigma[e] = MinimumSigma + Activations.Softplus(h[start + latent]);
        }
    }

    /// <summary>dh = [dMu, dSigma * sigmoid(h[:, Z:])]; grid-stride over the (B, Z) inputs.</summary>
    internal static void GaussianHeadBackwardKernel(FloatView dh, FloatView dMu, FloatView dSigma, FloatView h, int rows, int latent)
    {
        int stride = Launch.Step;
        for (int e = Launch.Start; e < rows * latent; e += stride)
        {
            int start = (e / latent * 2 * latent) + (e % latent);
            dh[start] = dMu[e];
            dh[start + latent] = dSigma[e] * Activations.Sigmoid(h[start + latent]);
        }
    }

    /// <summary>Box-Muller in float on the same Philox words as <see cref="StandardNormalReference"/>.</summary>
    public static float StandardNormal(ulong seed, ulong stream, int element)
    {
        var bits = Philox.Generate(seed, stream, (uint)element, RandomPurpose.Normal);
        float radius = XMath.Sqrt(-2 * XMath.Log(Philox.UniformOpenBelow(bits.X)));
        return radius * XMath.Cos(2 * XMath.PI * Philox.UniformOpenAbove(bits.Y));
    }

    /// <summary>eps = N(0, 1) draws; z = mu + sigma * eps.</summary>
    internal static void ReparameterizeKernel(FloatView z, FloatView eps, FloatView mu, FloatView sigma, ulong seed, IntView step, int slot, int length)
    {
        ulong stream = StepValues.ReadStream(step, slot);
        int stride = Launch.Step;
        for (int i = Launch.Start; i < length; i += stride)
        {
            float draw = StandardNormal(seed, stream, i);
            eps[i] = draw;
            z[i] = mu[i] + (sigma[i] * draw);
        }
    }

    /// <summary>dMu = dz; dSigma = dz * eps.</summary>
    internal static void ReparameterizeBackwardKernel(FloatView dMu, FloatView dSigma, FloatView dz, FloatView eps, int length)
    {
        int stride = Launch.Step;
        for (int i = Launch.Start; i < length; i += stride)
        {
            float gradient = dz[i];
            dMu[i] = gradient;
            dSigma[i] = gradient * eps[i];
        }
    }

    /// <summary>The kernel of <see cref="SaltAndPepperReference"/> as an <see cref="IElementwiseMap"/>.</summary>
    public readonly struct SaltAndPepperMap(float fraction, ulong seed) : IElementwiseMap
    {
        private readonly float fraction = fraction;
        private readonly ulong seed = seed;

        public float Apply(float x, int index, ulong stream)
        {
            float u = Philox.UniformOpenAbove(Philox.Generate(seed, stream, (uint)index, RandomPurpose.SaltAndPepper).X);
            return u < fraction / 2 ? 0 : u < fraction ? 1 : x;
        }
    }

    /// <summary>The kernel of <see cref="BinarizeReference"/> as an <see cref="IElementwiseMap"/>.</summary>
    /// <remarks>
    /// Rows come in groups of rowsPerImage copies of one image (the importance-weighted
    /// objective's K samples), and every copy draws the image's own bits: the Philox counter is
    /// the pixel's index in the images, image * D + pixel, which is the element's index when
    /// each image is one row.
    /// </remarks>
    public readonly struct BinarizeMap(ulong seed, int pixels, int rowsPerImage) : IElementwiseMap
    {
        private readonly ulong seed = seed;
        private readonly int pixels = pixels;
        private readonly int rowsPerImage = rowsPerImage;

        // 1f and 0f, not 1 and 0: with the int constants ILGPU 1.5.3 wrote the bits of int 1 (1E-45) on CUDA and OpenCL, while the CPU accelerator was right; GpuVae check caught it on an H200.
        public float Apply(float x, int index, ulong stream) =>
            Philox.UniformOpenAbove(Philox.Generate(seed, stream, (uint)((index / (pixels * rowsPerImage) * pixels) + (index % pixels)), RandomPurpose.Binarize).X) < x ? 1f : 0f;
    }

    /// <summary>Loads the sampling kernels on one accelerator once and launches them.</summary>
    internal sealed class Launcher
    {
        private readonly Accelerator accelerator;
        private readonly Action<KernelConfig, FloatView, FloatView, FloatView, int, int> gaussianHead;
        private readonly Action<KernelConfig, FloatView, FloatView, FloatView, FloatView, int, int> gaussianHeadBackward;
        private readonly Action<KernelConfig, FloatView, FloatView, FloatView, FloatView, ulong, IntView, int, int> reparameterize;
        private readonly Action<KernelConfig, FloatView, FloatView, FloatView, FloatView, int> reparameterizeBackward;

        public Launcher(Accelerator accelerator)
        {
            ArgumentNullException.ThrowIfNull(accelerator);
            this.accelerator = accelerator;
            gaussianHead = accelerator.LoadStreamKernel<FloatView, FloatView, FloatView, int, int>(GaussianHeadKernel);
            gaussianHeadBackward = accelerator.LoadStreamKernel<FloatView, FloatView, FloatView, FloatView, int, int>(GaussianHeadBackwardKernel);
            reparameterize = accelerator.LoadStreamKernel<FloatView, FloatView, FloatView, FloatView, ulong, IntView, int, int>(ReparameterizeKernel);
            reparameterizeBackward = accelerator.LoadStreamKernel<FloatView, FloatView, FloatView, FloatView, int>(ReparameterizeBackwardKernel);
        }

        public void GaussianHead(FloatView mu, FloatView sigma, FloatView h, int rows, int latent)
        {
            long length = (long)rows * latent;
            Launch.Require(mu, length, nameof(mu));
            Launch.Require(sigma, length, nameof(sigma));
            Launch.Require(h, 2 * length, nameof(h));
            gaussianHead(Launch.GridStride(accelerator, length), mu, sigma, h, rows, latent);
        }

        public void GaussianHeadBackward(FloatView dh, FloatView dMu, FloatView dSigma, FloatView h, int rows, int latent)
        {
            long length = (long)rows * latent;
            Launch.Require(dh, 2 * length, nameof(dh));
            Launch.Require(dMu, length, nameof(dMu));
            Launch.Require(dSigma, length, nameof(dSigma));
            Launch.Require(h, 2 * length, nameof(h));
            gaussianHeadBackward(Launch.GridStride(accelerator, length), dh, dMu, dSigma, h, rows, latent);
        }

        public void Reparameterize(FloatView z, FloatView eps, FloatView mu, FloatView sigma, ulong seed, IntView step, int slot, int length)
        {
            Launch.Require(z, length, nameof(z));
            Launch.Require(eps, length, nameof(eps));
            Launch.Require(mu, length, nameof(mu));
            Launch.Require(sigma, length, nameof(sigma));
            reparameterize(Launch.GridStride(accelerator, length), z, eps, mu, sigma, seed, step, slot, length);
        }

        public void ReparameterizeBackward(FloatView dMu, FloatView dSigma, FloatView dz, FloatView eps, int length)
        {
            Launch.Require(dMu, length, nameof(dMu));
            Launch.Require(dSigma, length, nameof(dSigma));
            Launch.Require(dz, length, nameof(dz));
            Launch.Require(eps, length, nameof(eps));
            reparameterizeBackward(Launch.GridStride(accelerator, length), dMu, dSigma, dz, eps, length);
        }
    }
}
