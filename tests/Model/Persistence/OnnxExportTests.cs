using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace GpuVae.Tests.Model.Persistence;

/// <summary>
/// The exported files run in ONNX Runtime and compute what our host backend computes: mu,
/// sigma and the decoded pixel means of 1,000 MNIST test images, for trained vae and cvae
/// models at Z = 1, 2 and 20; and an export that fails halfway leaves nothing behind.
/// </summary>
public sealed class OnnxExportTests
{
    // The bar. Both sides compute in float with different summation orders (our SIMD
    // GEMM, ONNX Runtime's MLAS) and different exp/tanh approximations: about 1e-7 relative
    // per op, a few 1e-7 absolute on outputs of order 1 after five layers.
    private static readonly Tolerance OnnxTolerance = new(1e-5, 0);

    // 200 steps of 128 on real MNIST: far enough from the initialization that the activations
    // are a trained model's (saturating tanh units, sigmas well below 1), a few seconds a model.
    private const int TrainImages = 200 * 128;
    private const int TestImages = 1000;
    private const int Classes = 10;

    [Theory]
    [InlineData(ModelKind.Vae, 1)]
    [InlineData(ModelKind.Vae, 2)]
    [InlineData(ModelKind.Vae, 20)]
    [InlineData(ModelKind.Cvae, 1)]
    [InlineData(ModelKind.Cvae, 2)]
    [InlineData(ModelKind.Cvae, 20)]
    [InlineData(ModelKind.Vae, 50, "200:tanh,200:tanh", "200:tanh,200:tanh")]
    [InlineData(ModelKind.Cvae, 3, "300:relu,77:gelu,64:elu", "33:gelu,301:relu")]
    public void OnnxRuntimeMatchesTheHostBackendOnTestImages(ModelKind kind, int latent, string? encoderLayers = null, string? decoderLayers = null)
    {
        var inputs = new RandomInputs();
        var data = RealMnist.Load();
        var config = new VaeConfig(latent) { Kind = kind, Classes = kind == ModelKind.Cvae ? Classes : 0 };
        if (encoderLayers is not null && decoderLayers is not null)
        {
            config = config with { Encoder = Layers(encoderLayers), Decoder = Layers(decoderLayers) };
        }

        using var backend = new HostBackend();
        using var model = Trained(backend, config, data, inputs.Seed);
        using var checkpoint = new TempFolder();
        Checkpoint.Save(checkpoint.Path, model, new TrainingState(1, TrainImages / 128, inputs.Seed, 128));
        string folder = Path.Combine(checkpoint.Path, "onnx");
        OnnxExport.FromCheckpoint(checkpoint.Path).WriteTo(folder);

        float[] images = data.Test.Images[..(TestImages * config.Pixels)];
        float[] labels = config.ReadsLabels ? LabelOneHots.Of(data.Test.Labels.AsSpan(0, TestImages), Classes) : [];
        using var inference = new VaeInference(model, seed: 0);
        var (mu, sigma) = inference.EncodePosteriors(images, labels);
        float[] probabilities = inference.Decode(mu, labels);

        using var options = new SessionOptions();
        using var encoder = new InferenceSession(Path.Combine(folder, OnnxExport.EncoderFileName), options);
        using var decoder = new InferenceSession(Path.Combine(folder, OnnxExport.DecoderFileName), options);
        var encoded = Run(encoder, (OnnxExport.ImagesInput, images, config.Pixels), labels, OnnxExport.MuOutput, OnnxExport.SigmaOutput);
        var decoded = Run(decoder, (OnnxExport.CodesInput, mu, latent), labels, OnnxExport.ProbabilitiesOutput);

        double muDifference = MaxDifference(mu, encoded[0]), sigmaDifference = MaxDifference(sigma, encoded[1]), decodedDifference = MaxDifference(probabilities, decoded[0]);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{ModelKinds.Name(kind)} Z = {latent}, {TestImages} test images: max |diff| mu {muDifference:E2}, sigma {sigmaDifference:E2}, "
            + $"decoded means {decodedDifference:E2} (bar {OnnxTolerance.Absolute:E0}); sigma in [{sigma.Min():G3}, {sigma.Max():G3}], |mu| up to {mu.Max(Math.Abs):G3}");
        Compare.AllClose(mu, encoded[0], OnnxTolerance, "mu");
        Compare.AllClose(sigma, encoded[1], OnnxTolerance, "sigma");
        Compare.AllClose(probabilities, decoded[0], OnnxTolerance, "decoded means");

        // Trained, not initial: a model still near its initialization would test little.
        Assert.True(sigma.Average() < 0.9, $"mean sigma {sigma.Average():G3}: the model did not train");
        Assert.Equal(OnnxExport.Metadata(config), encoder.ModelMetadata.CustomMetadataMap);
        Assert.Equal(OnnxExport.Metadata(config), decoder.ModelMetadata.CustomMetadataMap);
        string[] conditioned = config.ReadsLabels ? [OnnxExport.LabelsInput] : [];
        Assert.Equal([OnnxExport.ImagesInput, .. conditioned], encoder.InputNames);
        Assert.Equal([OnnxExport.CodesInput, .. conditioned], decoder.InputNames);
        Assert.Equal([OnnxExport.MuOutput, OnnxExport.SigmaOutput], encoder.OutputNames);
        Assert.Equal([OnnxExport.ProbabilitiesOutput], decoder.OutputNames);
        // The batch dimension is symbolic (-1), so the 1,000 images above ran as one batch.
        Assert.Equal([-1, config.Pixels], encoder.InputMetadata[OnnxExport.ImagesInput].Dimensions);
        Assert.Equal([-1, config.Pixels], decoder.OutputMetadata[OnnxExport.ProbabilitiesOutput].Dimensions);
    }

    [Fact]
    public void EveryActivationHasOnnxOps()
    {
        foreach (var activation in Enum.GetValues<Activation>())
        {
            var graph = new OnnxGraphBuilder("activations");
            Assert.Equal("y", graph.Activate(activation, "y", "x"));
            Assert.NotEmpty(graph.Graph.Node);
        }
    }

    [Fact]
    public void AnExportThatFailsHalfwayLeavesNothing()
    {
        using var backend = new HostBackend();
        using var model = new Vae(backend, new VaeConfig(Latent: 2, Hidden: 7));
        model.Initialize(seed: 1);
        var export = new OnnxExport(model);
        using var parent = new TempFolder();
        foreach (string folder in new[] { parent.File("new"), parent.File("existing") })
        {
            bool existing = folder.EndsWith("existing", StringComparison.Ordinal);
            if (existing)
            {
                Directory.CreateDirectory(folder);
                File.WriteAllText(Path.Combine(folder, OnnxExport.EncoderFileName), "old");
            }

            // The decoder's file fails to be created, after the encoder's was written in full.
            FileOperations.BeforeEach.Value = operation =>
            {
                if (operation == $"create {OnnxExport.DecoderFileName}")
                {
                    throw new IOException("disk full (simulated)");
                }
            };
            try
            {
                Assert.Throws<IOException>(() => export.WriteTo(folder));
            }
            finally
            {
                FileOperations.BeforeEach.Value = null;
            }

            // A new folder never appears; an existing one keeps its old encoder and gains no decoder.
            Assert.Equal(existing, Directory.Exists(folder));
            if (existing)
            {
                Assert.Equal("old", File.ReadAllText(Path.Combine(folder, OnnxExport.EncoderFileName)));
                Assert.False(File.Exists(Path.Combine(folder, OnnxExport.DecoderFileName)));
            }
        }

        Assert.Equal([parent.File("existing")], Directory.GetFileSystemEntries(parent.Path));
        export.WriteTo(parent.File("existing"));
        Assert.True(new FileInfo(Path.Combine(parent.File("existing"), OnnxExport.EncoderFileName)).Length > 1000);
        Assert.Empty(parent.TempFiles());
    }

    private static Vae Trained(Backend backend, VaeConfig config, GpuVae.App.Data.MnistData data, int seed)
    {
        var model = new Vae(backend, config);
        model.Initialize(seed);
        float[] train = data.Train.Images[..(TrainImages * config.Pixels)];
        float[] test = data.Test.Images[..(TestImages * config.Pixels)];
        var labels = config.ReadsLabels
            ? new TrainingLabels(LabelOneHots.Of(data.Train.Labels.AsSpan(0, TrainImages), Classes), LabelOneHots.Of(data.Test.Labels.AsSpan(0, TestImages), Classes))
            : null;
        using var trainer = new Trainer(model, new TrainingOptions { Seed = seed }, train, test, labels: labels);
        trainer.TrainEpoch(1, null, CancellationToken.None);
        return model;
    }

    /// <summary>Runs a session on one (N, columns) input, and the labels (N, C) where the model reads them; returns the named outputs.</summary>
    private static float[][] Run(InferenceSession session, (string Name, float[] Values, int Columns) input, float[] labels, params string[] outputs)
    {
        long rows = input.Values.Length / input.Columns;
        var values = new Dictionary<string, OrtValue>
        {
            [input.Name] = OrtValue.CreateTensorValueFromMemory(input.Values, [rows, input.Columns]),
        };
        if (labels.Length > 0)
        {
            values[OnnxExport.LabelsInput] = OrtValue.CreateTensorValueFromMemory(labels, [rows, labels.Length / rows]);
        }

        try
        {
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, values, outputs);
            return [.. results.Select(result => result.GetTensorDataAsSpan<float>().ToArray())];
        }
        finally
        {
            foreach (var value in values.Values)
            {
                value.Dispose();
            }
        }
    }

    private static double MaxDifference(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            // NaN compares false with everything: counted as infinitely far.
            double difference = Math.Abs((double)expected[i] - actual[i]);
            max = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(max, difference);
        }

        return max;
    }

    private static IReadOnlyList<HiddenSpec> Layers(string text) =>
        HiddenSpecs.TryParse(text, out string error) ?? throw new ArgumentException(error, nameof(text));
}
