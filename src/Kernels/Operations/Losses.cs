using GpuVae.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels.Operations;

/// <summary>
/// The VAE's loss terms per image: Bernoulli reconstruction error (BCE summed over pixels)
/// and KL(N(mu, sigma^2) || N(0, I)) summed over Z, with their gradients, in the TensorFlow original's exact
/// form (clamped probabilities, 1e-8 inside the logarithm).
/// </summary>
public static class Losses
{
    /// <summary>The TensorFlow original clamps decoder probabilities to [1e-8, 1 - 1e-8] before the logarithm.</summary>
    public const float ProbabilityClamp = 1e-8f;

    /// <summary>The TensorFlow original's KL adds 1e-8 to sigma^2 inside the logarithm.</summary>
    public const float VarianceFloor = 1e-8f;

    /// <summary>loss (B, 1) = -sum_d [t log p + (1 - t) log(1 - p)], p clamped, in double.</summary>
    public static void BinaryCrossEntropyReference(Span<float> loss, ReadOnlySpan<float> p, ReadOnlySpan<float> target, int rows, int cols)
    {
        for (int row = 0; row < rows; row++)
        {
            double sum = 0;
            for (int col = 0; col < cols; col++)
            {
                // The bounds are taken in double: in float, 1 - 1e-8 rounds to 1 and p = 1 gave log(0).
                double clamped = Math.Clamp(p[(row * cols) + col], ProbabilityClamp, 1 - (double)ProbabilityClamp);
                double t = target[(row * cols) + col];
                sum -= (t * Math.Log(clamped)) + ((1 - t) * Math.Log(1 - clamped));
            }

            loss[row] = (float)sum;
        }
    }

    /// <summary>dLogits = scale * (p - t) where the clamp is inactive, else 0 (p = sigmoid(logits)).</summary>
    public static void BinaryCrossEntropyBackwardReference(
        Span<float> dLogits, ReadOnlySpan<float> p, ReadOnlySpan<float> target, float scale, int length)
    {
        for (int i = 0; i < length; i++)
        {
            // In double, as the forward pass: p = 1 is where the upper clamp is active.
            bool clamped = p[i] < ProbabilityClamp || p[i] > 1 - (double)ProbabilityClamp;
            dLogits[i] = clamped ? 0 : scale * (p[i] - target[i]);
        }
    }

    /// <summary>kl (B, 1) = 0.5 * sum_z [mu^2 + sigma^2 - log(1e-8 + sigma^2) - 1], in double.</summary>
    public static void KlDivergenceReference(Span<float> kl, ReadOnlySpan<float> mu, ReadOnlySpan<float> sigma, int rows, int latent)
    {
        for (int row = 0; row < rows; row++)
        {
            double sum = 0;
            for (int j = 0; j < latent; j++)
            {
                double m = mu[(row * latent) + j];
                double s = sigma[(row * latent) + j];
                sum += (m * m) + (s * s) - Math.Log(VarianceFloor + (s * s)) - 1;
            }

            kl[row] = (float)(0.5 * sum);
        }
    }

    /// <summary>dMu += scale * mu; dSigma += scale * (sigma - sigma / (1e-8 + sigma^2)).</summary>
    public static void KlDivergenceBackwardReference(
        Span<float> dMu, Span<float> dSigma, ReadOnlySpan<float> mu, ReadOnlySpan<float> sigma, float scale, int length)
    {
        for (int i = 0; i < length; i++)
        {
            double s = sigma[i];
            dMu[i] += scale * mu[i];
            dSigma[i] += (float)(scale * (s - (s / (VarianceFloor + (s * s)))));
        }
    }

    /// <summary>
    /// log(clamp(p)) and log(1 - clamp(p)) in float. 1 - 1e-8 is not a float, so the upper
    /// clamp is applied to the complement instead: 1 - p is exact for p near 1 and is kept at
    /// or above 1e-8, as the double reference's clamp keeps it.
    /// </summary>
    public static float ClampedLog(float p, bool complement) =>
        complement
            ? XMath.Log(XMath.Max(1 - XMath.Max(p, ProbabilityClamp), ProbabilityClamp))
            : XMath.Log(XMath.Clamp(p, ProbabilityClamp, 1));

    /// <summary>One thread per image sums its pixels in order: deterministic for any B.</summary>
    internal static void BinaryCrossEntropyKernel(FloatView loss, FloatView p, FloatView target, int rows, int cols)
    {
        int stride = Launch.Step;
        for (int row = Launch.Start; row < rows; row += stride)
        {
            float sum = 0;
            for (int i = row * cols; i < (row + 1) * cols; i++)
            {
                float pi = p[i];
                float t = target[i];
                sum -= (t * ClampedLog(pi, false)) + ((1 - t) * ClampedLog(pi, true));
            }

            loss[row] = sum;
        }
    }

    /// <summary>
    /// A group of 256 threads per image: thread i sums pixels i, i + 256, ..., then the group
    /// halves its 256 partial sums in shared memory, a tree whose shape depends on nothing
    /// but the group size, so the bits are the same for any grid. A GPU reads each row with
    /// whole warps, and a thread waits on at most 4 loads where one thread per row waits on 784. Every thread of a
    /// group walks the same rows, so all of them reach the barriers.
    /// </summary>
    internal static void BinaryCrossEntropyGroupKernel(FloatView loss, FloatView p, FloatView target, int rows, int cols)
    {
        var partial = SharedMemory.Allocate<float>(Reductions.GroupSize);
        int thread = Group.IdxX;
        for (int row = Grid.IdxX; row < rows; row += Grid.DimX)
        {
            float sum = 0;
            for (int i = (row * cols) + thread; i < (row + 1) * cols; i += Reductions.GroupSize)
            {
                float pi = p[i];
                float t = target[i];
                sum -= (t * ClampedLog(pi, false)) + ((1 - t) * ClampedLog(pi, true));
            }

            partial[thread] = sum;
            Group.Barrier();
            for (int half = Reductions.GroupSize / 2; half > 0; half /= 2)
            {
                if (thread < half)
                {
                    partial[thread] += partial[thread + half];
                }

                Group.Barrier();
            }

            // The next row needs no barrier first: only thread 0 reads partial[0], and only it writes it.
            if (thread == 0)
            {
                loss[row] = partial[0];
            }
        }
    }

    /// <summary>dLogits = scale * (p - t) where the clamp is inactive, else 0.</summary>
    internal static void BinaryCrossEntropyBackwardKernel(FloatView dLogits, FloatView p, FloatView target, float scale, int length)
    {
        int stride = Launch.Step;
        for (int i = Launch.Start; i < length; i += stride)
        {
            float pi = p[i];
            // 1 - p < 1e-8 is the reference's p > 1 - 1e-8 without leaving float: it holds for p = 1 only.
            bool clamped = pi < ProbabilityClamp || 1 - pi < ProbabilityClamp;
            dLogits[i] = clamped ? 0 : scale * (pi - target[i]);
        }
    }

    /// <summary>One thread per image sums its Z terms in order: deterministic for any B.</summary>
    internal static void KlDivergenceKernel(FloatView kl, FloatView mu, FloatView sigma, int rows, int latent)
    {
        int stride = Launch.Step;
        for (int row = Launch.Start; row < rows; row += stride)
        {
            float sum = 0;
            for (int i = row * latent; i < (row + 1) * latent; i++)
            {
                float m = mu[i];
                float s = sigma[i];
                sum += (m * m) + (s * s) - XMath.Log(VarianceFloor + (s * s)) - 1;
            }

            kl[row] = 0.5f * sum;
        }
    }

    /// <summary>dMu += scale * mu; dSigma += scale * (sigma - sigma / (1e-8 + sigma^2)).</summary>
    internal static void KlDivergenceBackwardKernel(FloatView dMu, FloatView dSigma, FloatView mu, FloatView sigma, float scale, int length)
    {
        int stride = Launch.Step;
        for (int i = Launch.Start; i < length; i += stride)
        {
            float s = sigma[i];
            dMu[i] += scale * mu[i];
            dSigma[i] += scale * (s - (s / (VarianceFloor + (s * s))));
        }
    }

    /// <summary>Loads the loss kernels on one accelerator once and launches them.</summary>
    internal sealed class Launcher
    {
        private readonly Accelerator accelerator;
        private readonly Action<KernelConfig, FloatView, FloatView, FloatView, int, int> binaryCrossEntropy;
        private readonly Action<KernelConfig, FloatView, FloatView, FloatView, int, int> binaryCrossEntropyGroup;
        private readonly Action<KernelConfig, FloatView, FloatView, FloatView, float, int> binaryCrossEntropyBackward;
        private readonly Action<KernelConfig, FloatView, FloatView, FloatView, int, int> klDivergence;
        private readonly Action<KernelConfig, FloatView, FloatView, FloatView, FloatView, float, int> klDivergenceBackward;

        public Launcher(Accelerator accelerator)
        {
            ArgumentNullException.ThrowIfNull(accelerator);
            this.accelerator = accelerator;
            binaryCrossEntropy = accelerator.LoadStreamKernel<FloatView, FloatView, FloatView, int, int>(BinaryCrossEntropyKernel);
            binaryCrossEntropyGroup = accelerator.LoadStreamKernel<FloatView, FloatView, FloatView, int, int>(BinaryCrossEntropyGroupKernel);
            binaryCrossEntropyBackward = accelerator.LoadStreamKernel<FloatView, FloatView, FloatView, float, int>(BinaryCrossEntropyBackwardKernel);
            klDivergence = accelerator.LoadStreamKernel<FloatView, FloatView, FloatView, int, int>(KlDivergenceKernel);
            klDivergenceBackward = accelerator.LoadStreamKernel<FloatView, FloatView, FloatView, FloatView, float, int>(KlDivergenceBackwardKernel);
        }

        /// <summary>
        /// BCE with the variant's kernel. The other losses sum only Z terms per image (at most
        /// 100), too short a loop to need a group, so they have one kernel each.
        /// </summary>
        public void BinaryCrossEntropy(ReductionVariant variant, FloatView loss, FloatView p, FloatView target, int rows, int cols)
        {
            Launch.Require(loss, rows, nameof(loss));
            Launch.Require(p, (long)rows * cols, nameof(p));
            Launch.Require(target, (long)rows * cols, nameof(target));
            var (kernel, config) = Reductions.Pick(variant, accelerator, rows, rows, binaryCrossEntropy, binaryCrossEntropyGroup);
            kernel(config, loss, p, target, rows, cols);
        }

        public void BinaryCrossEntropyBackward(FloatView dLogits, FloatView p, FloatView target, float scale, int length)
        {
            Launch.Require(dLogits, length, nameof(dLogits));
            Launch.Require(p, length, nameof(p));
            Launch.Require(target, length, nameof(target));
            binaryCrossEntropyBackward(Launch.GridStride(accelerator, length), dLogits, p, target, scale, length);
        }

        public void KlDivergence(FloatView kl, FloatView mu, FloatView sigma, int rows, int latent)
        {
            Launch.Require(kl, rows, nameof(kl));
            Launch.Require(mu, (long)rows * latent, nameof(mu));
            Launch.Require(sigma, (long)rows * latent, nameof(sigma));
            klDivergence(Launch.GridStride(accelerator, rows), kl, mu, sigma, rows, latent);
        }

        public void KlDivergenceBackward(FloatView dMu, FloatView dSigma, FloatView mu, FloatView sigma, float scale, int length)
        {
            Launch.Require(dMu, length, nameof(dMu));
            Launch.Require(dSigma, length, nameof(dSigma));
            Launch.Require(mu, length, nameof(mu));
            Launch.Require(sigma, length, nameof(sigma));
            klDivergenceBackward(Launch.GridStride(accelerator, length), dMu, dSigma, mu, sigma, scale, length);
        }
    }
}
