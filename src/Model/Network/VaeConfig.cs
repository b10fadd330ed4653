
namespace GpuVae.Model.Network;

/// <summary>The network's sizes: D pixels, H hidden units, Z latent dimension; for the conditional VAE, C classes.</summary>
public sealed record VaeConfig(int Latent, int Hidden = 500, int Pixels = MnistShape.Pixels)
{
    private readonly int? imageRows;
    private readonly int? imageCols;

    /// <summary>
    /// Rows of one image (ImageRows * ImageCols = D), for pictures: the data's. Unset, MNIST's
    /// 28 when D = 784, else one row of D.
    /// </summary>
    public int ImageRows
    {
        get => imageRows ?? (Pixels == MnistShape.Pixels ? MnistShape.Side : 1);
        init => imageRows = value;
    }

    /// <summary>Columns of one image, for pictures; unset, D / ImageRows.</summary>
    public int ImageCols
    {
        get => imageCols ?? (Pixels / ImageRows);
        init => imageCols = value;
    }

    /// <summary>Whether the model is trained and evaluated on binarized pixels.</summary>
    public Binarization Binarization { get; init; }

    /// <summary>The plain VAE or the conditional one.</summary>
    public ModelKind Kind { get; init; }

    /// <summary>C: classes of the labels the conditional VAE reads as one-hot rows (10 for MNIST); 0 for the plain VAE.</summary>
    public int Classes { get; init; }

    public bool Conditional => Kind == ModelKind.Cvae;

    // By the values the properties read, not the backing fields: an unset shape equals the same shape set.
    public bool Equals(VaeConfig? other) =>
        other is not null && Latent == other.Latent && Hidden == other.Hidden && Pixels == other.Pixels
        && ImageRows == other.ImageRows && ImageCols == other.ImageCols && Binarization == other.Binarization
        && Kind == other.Kind && Classes == other.Classes;

    public override int GetHashCode() => HashCode.Combine(Latent, Hidden, Pixels, ImageRows, ImageCols, Binarization, Kind, Classes);

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Latent);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Hidden);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Pixels);
        if (Conditional ? Classes <= 0 : Classes != 0)
        {
            throw new ArgumentException($"a {Kind} model with {Classes} classes: the conditional VAE needs at least one class, the plain VAE none");
        }
    }
}
