namespace GpuVae.Kernels;

/// <summary>
/// The encoder's Gaussian head, the reparameterization trick z = mu + sigma * eps with
/// eps ~ N(0, 1), and the salt-and-pepper input corruption. Random draws come from Philox
/// with the element index as counter, so they do not depend on the launch shape.
/// </summary>
public static class Sampling
{
    /// <summary>The seed adds 1e-6 to softplus so that sigma never reaches zero.</summary>
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
            float u = Philox.UniformOpenAbove(Philox.Generate(seed, stream, (uint)i, RandomPurpose.SaltAndPepper).X);
            y[i] = u < fraction / 2 ? 0 : u < fraction ? 1 : x[i];
        }
    }
}
