namespace GpuVae.Model;

/// <summary>The network's sizes: D pixels, H hidden units, Z latent dimension.</summary>
public sealed record VaeConfig(int Latent, int Hidden = 500, int Pixels = MnistShape.Pixels)
{
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Latent);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Hidden);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Pixels);
    }
}
