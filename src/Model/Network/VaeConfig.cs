namespace GpuVae.Model.Network;

/// <summary>
/// The network's shape: D pixels, Z latent dimension, the encoder's and the decoder's hidden
/// layers (width and activation each); for a model that reads the label, C classes.
/// <see cref="Layers"/> is the list of dense layers they make.
/// </summary>
/// <param name="Hidden">
/// H, the width of the TensorFlow original's layers (D -> H (ELU) -> H (tanh) -> 2Z and
/// Z -> H (tanh) -> H (ELU) -> D), which <see cref="Encoder"/> and <see cref="Decoder"/>
/// take when they are not given; a layer list given for both halves makes it unused.
/// </param>
public sealed record VaeConfig(int Latent, int Hidden = 500, int Pixels = MnistShape.Pixels)
{
    private readonly int? imageRows;
    private readonly int? imageCols;
    private readonly IReadOnlyList<HiddenSpec>? encoder;
    private readonly IReadOnlyList<HiddenSpec>? decoder;

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

    /// <summary>The encoder's hidden layers from x towards the Gaussian head; unset, the TensorFlow original's at width H.</summary>
    public IReadOnlyList<HiddenSpec> Encoder
    {
        get => encoder ?? HiddenSpecs.DefaultEncoder(Hidden);
        init => encoder = value;
    }

    /// <summary>The decoder's hidden layers from z towards the output; unset, the TensorFlow original's at width H.</summary>
    public IReadOnlyList<HiddenSpec> Decoder
    {
        get => decoder ?? HiddenSpecs.DefaultDecoder(Hidden);
        init => decoder = value;
    }

    /// <summary>Whether the model is trained and evaluated on binarized pixels.</summary>
    public Binarization Binarization { get; init; }

    /// <summary>The plain VAE or the conditional one.</summary>
    public ModelKind Kind { get; init; }

    /// <summary>C: classes of the labels the layers that read the label take as one-hot rows (10 for MNIST); 0 when none does.</summary>
    public int Classes { get; init; }

    /// <summary>The network as its list of dense layers.</summary>
    public NetworkSpec Layers => NetworkSpec.Of(this);

    /// <summary>Whether any layer reads the label, so that every pass needs the images' labels (see <see cref="NetworkSpec.ReadsLabels"/>).</summary>
    public bool ReadsLabels => Layers.ReadsLabels;

    // By the values the properties read, not the backing fields: an unset shape or layer list equals the same one set.
    // H itself is not compared: only the layers it made are the network.
    public bool Equals(VaeConfig? other) =>
        other is not null && Latent == other.Latent && Pixels == other.Pixels
        && Encoder.SequenceEqual(other.Encoder) && Decoder.SequenceEqual(other.Decoder)
        && ImageRows == other.ImageRows && ImageCols == other.ImageCols && Binarization == other.Binarization
        && Kind == other.Kind && Classes == other.Classes;

    public override int GetHashCode() =>
        HashCode.Combine(Latent, HiddenSpecs.Format(Encoder), HiddenSpecs.Format(Decoder), Pixels, ImageRows, ImageCols, Binarization, HashCode.Combine(Kind, Classes));

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Latent);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Hidden);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Pixels);
        if (Encoder.Count == 0 || Decoder.Count == 0 || Encoder.Concat(Decoder).Any(layer => layer.Units <= 0))
        {
            throw new ArgumentException($"encoder {HiddenSpecs.Format(Encoder)}, decoder {HiddenSpecs.Format(Decoder)}: each half needs at least one hidden layer of at least one unit");
        }

        if (ModelKinds.FirstLayersReadLabel(Kind) ? Classes <= 0 : Classes != 0)
        {
            throw new ArgumentException($"a {ModelKinds.Name(Kind)} model with {Classes} classes: a model that reads the label needs at least one class, one that does not none");
        }

        // The list throws where its hidden layers outnumber the step's dropout streams.
        _ = Layers;
    }
}
