namespace GpuVae.Model;

/// <summary>Sums of per-image BCE and KL in double, for means over many batches.</summary>
public sealed class LossTotals
{
    public LossTotals()
    {
    }

    /// <summary>Totals that continue from earlier sums, as when an interrupted epoch resumes.</summary>
    public LossTotals(double bce, double kld, int images)
    {
        Bce = bce;
        Kld = kld;
        Images = images;
    }

    public double Bce { get; private set; }

    public double Kld { get; private set; }

    public int Images { get; private set; }

    public double MeanBce => Bce / Images;

    public double MeanKld => Kld / Images;

    public double MeanLoss => (Bce + Kld) / Images;

    /// <summary>The mean of BCE + beta * KL; beta = 1 gives <see cref="MeanLoss"/> to the bit.</summary>
    public double MeanWeightedLoss(double beta) => (Bce + (beta * Kld)) / Images;

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
}
