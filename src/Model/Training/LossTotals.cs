namespace GpuVae.Model.Training;

/// <summary>
/// Sums of per-image BCE and KL in double, for means over many batches; under the
/// importance-weighted objective also the sum of the per-image bound, which is then the loss.
/// </summary>
public sealed class LossTotals
{
    public LossTotals()
    {
    }

    /// <summary>Totals that continue from earlier sums, as when an interrupted epoch resumes.</summary>
    public LossTotals(double bce, double kld, int images, double? bound = null)
    {
        Bce = bce;
        Kld = kld;
        Images = images;
        Bound = bound;
    }

    public double Bce { get; private set; }

    public double Kld { get; private set; }

    /// <summary>The sum of the per-image importance-weighted bounds -log (1/K sum_k w_k); null under the ELBO.</summary>
    public double? Bound { get; private set; }

    public int Images { get; private set; }

    public double MeanBce => Bce / Images;

    public double MeanKld => Kld / Images;

    /// <summary>The mean of BCE + KL, or of the importance-weighted bound when there is one.</summary>
    public double MeanLoss => MeanWeightedLoss(1);

    /// <summary>The mean of BCE + beta * KL (beta = 1 gives BCE + KL to the bit), or of the importance-weighted bound when there is one.</summary>
    public double MeanWeightedLoss(double beta) => (Bound ?? (Bce + (beta * Kld))) / Images;

    /// <summary>Back to no images, for totals reused batch after batch without allocating.</summary>
    public void Clear()
    {
        Bce = 0;
        Kld = 0;
        Bound = null;
        Images = 0;
    }

    public void Add(ReadOnlySpan<float> bce, ReadOnlySpan<float> kl)
    {
        foreach (float value in bce)
        {
            Bce += value;
        }

        foreach (float value in kl)
        {
            Kld += value;
        }

        Images += bce.Length;
    }

    /// <summary>
    /// One batch of the importance-weighted objective: K rows of BCE and KL per image (their
    /// means over an image's K samples count as its BCE and KL) and the bound per image.
    /// </summary>
    public void Add(ReadOnlySpan<float> bce, ReadOnlySpan<float> kl, ReadOnlySpan<float> bound)
    {
        if (bound.Length == 0 || bce.Length != kl.Length || bce.Length % bound.Length != 0)
        {
            throw new ArgumentException($"{bce.Length} BCE and {kl.Length} KL rows are no whole number of samples for {bound.Length} images", nameof(bound));
        }

        double samples = bce.Length / bound.Length;
        foreach (float value in bce)
        {
            Bce += value / samples;
        }

        foreach (float value in kl)
        {
            Kld += value / samples;
        }

        double sum = Bound ?? 0;
        foreach (float value in bound)
        {
            sum += value;
        }

        Bound = sum;
        Images += bound.Length;
    }
}
