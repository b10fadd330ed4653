using System.Globalization;
using System.Reflection;
using Google.Protobuf;
using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Network;
using Onnx;

namespace GpuVae.Model.Persistence;

/// <summary>
/// A saved model as two ONNX files for other runtimes. encoder.onnx: x (batch, D), and for the
/// conditional VAE label (batch, C) one-hot, to mu and sigma (batch, Z); decoder.onnx: z
/// (batch, Z), and label, to probabilities (batch, D), the pixel means. The batch size is free.
/// The weights are initializers under their checkpoint names; the model's config is in the
/// metadata of both. The classes come from OnnxSharp, onnx.proto's generated C#.
/// </summary>
public sealed class OnnxExport
{
    public const string EncoderFileName = "encoder.onnx";
    public const string DecoderFileName = "decoder.onnx";
    public const string ImagesInput = "x";
    public const string LabelsInput = "label";
    public const string MuOutput = "mu";
    public const string SigmaOutput = "sigma";
    public const string CodesInput = "z";
    public const string ProbabilitiesOutput = "probabilities";

    /// <summary>
    /// ONNX 1.12's opset, whose IR version is 8: it has every op used here (Split takes its sizes
    /// as an input since 13), and ONNX Runtime runs it from 1.13 on.
    /// </summary>
    public const int Opset = 17;
    private const int IrVersion = 8;
    private const string Producer = "GpuVae";

    /// <summary>Builds both graphs from the model's weights, read from its backend now.</summary>
    public OnnxExport(Vae model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Config = model.Config;
        var weights = model.Parameters.ToDictionary(parameter => parameter.Name, parameter =>
        {
            var values = new float[parameter.Rows * parameter.Cols];
            model.Backend.Download(parameter.Value, values);
            return values;
        });
        var layers = Config.Layers;
        Encoder = Model(BuildEncoder([.. layers.EncoderHidden, layers.GaussianHead], weights));
        Decoder = Model(BuildDecoder([.. layers.DecoderHidden, layers.Output], weights));
    }

    public VaeConfig Config { get; }

    public ModelProto Encoder { get; }

    public ModelProto Decoder { get; }

    /// <summary>The GpuVae build that wrote the files: the model assembly's informational version.</summary>
    public static string Version { get; } =
        typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Loads a checkpoint folder's committed weights on the host, checking them as every reader does.</summary>
    public static OnnxExport FromCheckpoint(string directory)
    {
        var config = Checkpoint.ReadConfig(directory);
        using var backend = BackendFactory.Create(BackendKind.Host, 0, _ => { });
        using var model = new Vae(backend, config);
        Checkpoint.LoadWeights(directory, model);
        return new OnnxExport(model);
    }

    /// <summary>Writes encoder.onnx and decoder.onnx into folder, both or neither (<see cref="AtomicFolder"/>).</summary>
    public void WriteTo(string folder) =>
        AtomicFolder.Write(folder, [(EncoderFileName, Encoder.ToByteArray()), (DecoderFileName, Decoder.ToByteArray())]);

    /// <summary>What both files' metadata_props say about the model.</summary>
    public static IReadOnlyDictionary<string, string> Metadata(VaeConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Dictionary<string, string>
        {
            ["model"] = ModelKinds.Name(config.Kind),
            ["latent"] = Text(config.Latent),
            ["encoder"] = HiddenSpecs.Format(config.Encoder),
            ["decoder"] = HiddenSpecs.Format(config.Decoder),
            ["pixels"] = Text(config.Pixels),
            ["rows"] = Text(config.ImageRows),
            ["cols"] = Text(config.ImageCols),
            ["classes"] = Text(config.Classes),
            ["binarize"] = CheckpointMetadata.BinarizationName(config.Binarization),
            // e.g. "encoder.hidden0 784x500 elu, ..., encoder.output 500x40 linear, ...": sizes and activations of every layer.
            ["layers"] = string.Join(", ", config.Layers.All.Select(layer =>
                $"{layer.Name} {layer.Inputs}x{layer.Outputs} {(layer.Activation is { } f ? f.ToString().ToLowerInvariant() : "linear")}"
                + (layer.Labels > 0 ? $" +label {layer.Labels}" : string.Empty))),
            ["checkpoint_format"] = CheckpointMetadata.Format,
            ["gpuvae_version"] = Version,
        };
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private OnnxGraphBuilder BuildEncoder(IReadOnlyList<LayerSpec> layers, Dictionary<string, float[]> weights)
    {
        var graph = new OnnxGraphBuilder("encoder");
        graph.Input(ImagesInput, Config.Pixels);
        string h = AddLayers(graph, layers, ImagesInput, weights);
        // The Gaussian head as Sampling.GaussianHeadReference computes it: h (B, 2Z) is
        // [mu, raw]; sigma = MinimumSigma + softplus(raw), the float add of the kernels.
        int z = Config.Latent;
        const string raw = "gaussian_head.raw_sigma";
        graph.Node("Split", [MuOutput, raw], [h, graph.Integers("gaussian_head.split", z, z)],
            new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        string softplus = graph.Activate(Activation.Softplus, "gaussian_head.softplus", raw);
        graph.Node("Add", SigmaOutput, graph.Initializer("gaussian_head.minimum_sigma", [Sampling.MinimumSigma]), softplus);
        graph.Output(MuOutput, z);
        graph.Output(SigmaOutput, z);
        return graph;
    }

    private OnnxGraphBuilder BuildDecoder(IReadOnlyList<LayerSpec> layers, Dictionary<string, float[]> weights)
    {
        var graph = new OnnxGraphBuilder("decoder");
        graph.Input(CodesInput, Config.Latent);
        AddLayers(graph, layers, CodesInput, weights, ProbabilitiesOutput);
        graph.Output(ProbabilitiesOutput, Config.Pixels);
        return graph;
    }

    /// <summary>
    /// The layers one after another from input; a layer that reads the label gets the graph's
    /// label input, declared with the first one. Returns the last layer's output, named output
    /// when it is the graph's.
    /// </summary>
    private string AddLayers(
        OnnxGraphBuilder graph,
        IReadOnlyList<LayerSpec> layers,
        string input,
        Dictionary<string, float[]> weights,
        string? output = null)
    {
        string h = input;
        foreach (var layer in layers)
        {
            // Shapes lists the weight, the bias, then the label's weight for a layer that reads the label.
            var parameters = DenseLayer.Shapes(layer.Name, layer.Inputs, layer.Outputs, layer.Labels);
            foreach (var (name, rows, cols, _) in parameters)
            {
                graph.Initializer(name, weights[name], rows, cols);
            }

            (string, string)? label = null;
            if (layer.Labels > 0)
            {
                if (!graph.Graph.Input.Any(value => value.Name == LabelsInput))
                {
                    graph.Input(LabelsInput, Config.Classes);
                }

                label = (LabelsInput, parameters[2].Name);
            }

            h = graph.Dense(layer.Name, h, parameters[0].Name, parameters[1].Name, label, layer.Activation, layer == layers[^1] ? output : null);
        }

        return h;
    }

    private ModelProto Model(OnnxGraphBuilder graph)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = Producer,
            ProducerVersion = Version,
            DocString = $"GpuVae {ModelKinds.Name(Config.Kind)} {graph.Graph.Name}, latent dimension {Config.Latent}",
            Graph = graph.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
        foreach (var (key, value) in Metadata(Config))
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model;
    }
}
