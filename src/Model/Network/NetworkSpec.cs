using GpuVae.Kernels;

namespace GpuVae.Model.Network;

/// <summary>
/// The network as one list of dense layers, in the order they run, are initialized and are
/// saved: the encoder's hidden layers, the Gaussian head (2Z: mu and raw sigma), the decoder's
/// hidden layers and the sigmoid output (D). The model, its workspace, the step's GEMM list,
/// the benchmarks and the checkpoint all read it; nothing else states the network's shape.
/// </summary>
public sealed record NetworkSpec(IReadOnlyList<LayerSpec> EncoderHidden, LayerSpec GaussianHead, IReadOnlyList<LayerSpec> DecoderHidden, LayerSpec Output)
{
    public const string EncoderPrefix = "encoder";
    public const string DecoderPrefix = "decoder";

    /// <summary>Every layer, in run, initialization and checkpoint order.</summary>
    public IReadOnlyList<LayerSpec> All => [.. EncoderHidden, GaussianHead, .. DecoderHidden, Output];

    /// <summary>Whether any layer reads the label: then every pass needs the images' one-hot labels beside them.</summary>
    public bool ReadsLabels => All.Any(layer => layer.ReadsLabel);

    /// <summary>
    /// The list of a configuration. Hidden layers are named encoder.hidden0, ... and
    /// decoder.hidden0, ..., and take the dropout slots of <see cref="RandomStreams.DropoutSlots"/>
    /// in that order, so the TensorFlow original's four keep the names, order and streams they
    /// always had. Each half's first layer reads the label when the model kind does.
    /// </summary>
    public static NetworkSpec Of(VaeConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        int labels = ModelKinds.FirstLayersReadLabel(config.Kind) ? config.Classes : 0;
        var slots = RandomStreams.DropoutSlots;
        if (config.Encoder.Count + config.Decoder.Count > slots.Count)
        {
            throw new ArgumentException(
                $"{config.Encoder.Count + config.Decoder.Count} hidden layers in all: a step has random streams for the dropout of {slots.Count}");
        }

        var encoder = Hidden(EncoderPrefix, config.Pixels, config.Encoder, labels, slots, firstSlot: 0);
        var decoder = Hidden(DecoderPrefix, config.Latent, config.Decoder, labels, slots, firstSlot: encoder.Count);
        return new NetworkSpec(
            encoder,
            new LayerSpec(EncoderPrefix + ".output", encoder[^1].Outputs, 2 * config.Latent, null, null, 0),
            decoder,
            new LayerSpec(DecoderPrefix + ".output", decoder[^1].Outputs, config.Pixels, Activation.Sigmoid, null, 0));
    }

    private static List<LayerSpec> Hidden(string prefix, int inputs, IReadOnlyList<HiddenSpec> layers, int labels, IReadOnlyList<int> slots, int firstSlot)
    {
        var specs = new List<LayerSpec>();
        foreach (var (layer, i) in layers.Select((layer, i) => (layer, i)))
        {
            specs.Add(new LayerSpec($"{prefix}.hidden{i}", i == 0 ? inputs : layers[i - 1].Units, layer.Units, layer.Activation, slots[firstSlot + i], i == 0 ? labels : 0));
        }

        return specs;
    }
}
