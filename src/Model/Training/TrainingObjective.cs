using System.Globalization;

namespace GpuVae.Model.Training;

/// <summary>
/// What a training step minimizes per image. The ELBO: BCE + Beta * KL (Beta = 1 is the
/// original; beta-VAE, Higgins et al. 2017, weighs the KL term). Importance weighted (IWAE,
/// Burda et al. 2015): -log (1/K sum_i w_i) over K draws of z from q(z | x), with
/// log w_i = log p(x | z_i) + log p(z_i) - log q(z_i | x); Beta does not apply to it.
/// A checkpoint records it, so a resumed run continues the same objective.
/// </summary>
public sealed record TrainingObjective(float Beta = 1, bool ImportanceWeighted = false, int Samples = 1)
{
    public static TrainingObjective Elbo { get; } = new();

    /// <summary>The rows a batch of B images becomes: each image replicated once per sample of z.</summary>
    public int RowsPerImage => ImportanceWeighted ? Samples : 1;

    public string Name => ImportanceWeighted ? "iwae" : "elbo";

    public override string ToString() =>
        ImportanceWeighted
            ? $"--objective iwae --k {Samples}"
            : $"--objective elbo --beta {Beta.ToString("R", CultureInfo.InvariantCulture)}";
}
