namespace GpuVae.Kernels;

/// <summary>
/// The VAE's loss terms per image: Bernoulli reconstruction error (BCE summed over pixels)
/// and KL(N(mu, sigma^2) || N(0, I)) summed over Z, with their gradients, in the seed's exact
/// form (clamped probabilities, 1e-8 inside the logarithm).
/// </summary>
public static class Losses
{
    /// <summary>The seed clamps decoder probabilities to [1e-8, 1 - 1e-8] before the logarithm.</summary>
    public const float ProbabilityClamp = 1e-8f;

    /// <summary>The seed's KL adds 1e-8 to sigma^2 inside the logarithm.</summary>
    public const float VarianceFloor = 1e-8f;

    /// <summary>loss (B, 1) = -sum_d [t log p + (1 - t) log(1 - p)], p clamped, in double.</summary>
    public static void BinaryCrossEntropyReference(Span<float> loss, ReadOnlySpan<float> p, ReadOnlySpan<float> target, int rows, int cols)
    {
        for (int row = 0; row < rows; row++)
        {
            double sum = 0;
            for (int col = 0; col < cols; col++)
            {
                double clamped = Math.Clamp(p[(row * cols) + col], ProbabilityClamp, 1 - ProbabilityClamp);
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
            bool clamped = p[i] < ProbabilityClamp || p[i] > 1 - ProbabilityClamp;
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

    /// <summary>logWeight (B, 1) = sum_z [log sigma + (eps^2 - z^2) / 2] = log N(z; 0, I) - log N(z; mu, sigma^2).</summary>
    public static void LogPriorOverPosteriorReference(
        Span<float> logWeight, ReadOnlySpan<float> z, ReadOnlySpan<float> eps, ReadOnlySpan<float> sigma, int rows, int latent)
    {
        for (int row = 0; row < rows; row++)
        {
            double sum = 0;
            for (int j = 0; j < latent; j++)
            {
                int i = (row * latent) + j;
                sum += Math.Log(sigma[i]) + ((((double)eps[i] * eps[i]) - ((double)z[i] * z[i])) / 2);
            }

            logWeight[row] = (float)sum;
        }
    }
}
