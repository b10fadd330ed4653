namespace GpuVae.App.Figures;

/// <summary>Which per-epoch number a loss chart shows; all are nats per image.</summary>
public enum LossQuantity
{
    /// <summary>The negative ELBO, BCE + KLD.</summary>
    Loss,

    /// <summary>The reconstruction term: Bernoulli cross-entropy summed over the 784 pixels.</summary>
    Bce,

    /// <summary>KL divergence from the approximate posterior to the N(0, I) prior.</summary>
    Kld,
}
