using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Training;

namespace GpuVae.Model.Network;

/// <summary>
/// The TensorFlow original's variational autoencoder, forward and backward written out layer by
/// layer over the list of <see cref="NetworkSpec"/>: a Gaussian MLP encoder D -> hidden layers
/// -> 2Z giving mu and sigma = 1e-6 + softplus(.), z = mu + sigma * eps, and a Bernoulli MLP
/// decoder Z -> hidden layers -> D (sigmoid); by default the original's D -> H (ELU) -> H (tanh)
/// and Z -> H (tanh) -> H (ELU). Dropout follows every hidden layer when training.
/// Loss per image: BCE summed over pixels + KL summed over Z; the batch loss is their mean.
/// A layer that reads the label (each half's first, for <see cref="ModelKind.Cvae"/>) reads
/// the workspace's Labels too: q(z | x, y) and p(x | z, y).
/// </summary>
public sealed class Vae : IDisposable
{
    public Vae(Backend backend, VaeConfig config)
    {
        config.Validate();
        Backend = backend;
        Config = config;
        Spec = config.Layers;
        Parameters = new ModelParameters(backend, [.. Spec.All.SelectMany(layer => DenseLayer.Shapes(layer.Name, layer.Inputs, layer.Outputs, layer.Labels))]);
        Encoder = [.. Spec.EncoderHidden.Select(layer => new HiddenLayer(backend, Parameters, layer))];
        EncoderOutput = new DenseLayer(backend, Parameters, Spec.GaussianHead.Name);
        Decoder = [.. Spec.DecoderHidden.Select(layer => new HiddenLayer(backend, Parameters, layer))];
        DecoderOutput = new DenseLayer(backend, Parameters, Spec.Output.Name);
    }

    public Backend Backend { get; }

    public VaeConfig Config { get; }

    /// <summary>Every trainable tensor, in checkpoint order.</summary>
    public ModelParameters Parameters { get; }

    /// <summary>The network's list of layers, which these layers were built from.</summary>
    public NetworkSpec Spec { get; }

    private IReadOnlyList<HiddenLayer> Encoder { get; }

    private DenseLayer EncoderOutput { get; }

    private IReadOnlyList<HiddenLayer> Decoder { get; }

    private DenseLayer DecoderOutput { get; }

    /// <summary>
    /// The TensorFlow original's initialization (tf.contrib.layers.variance_scaling_initializer defaults):
    /// weights from a normal with stddev sqrt(1.3 * 2 / fan_in) truncated at two standard
    /// deviations (the 1.3 undoes the truncation's loss of variance), biases zero. Roles come
    /// from the layers, not the shapes: a (1, H) weight at Z = 1 is still a weight. Weights
    /// draw in checkpoint order, so the default shapes draw exactly what they always drew.
    /// A layer that reads the label has fan-in in + C for both its weights, as the
    /// TensorFlow CVAE's one weight over the concatenated [x, y] or [z, y] has.
    /// </summary>
    public void Initialize(int seed)
    {
        var fanIns = Spec.All.ToDictionary(layer => layer.Name, layer => layer.FanIn);
        var random = new Random(seed);
        foreach (var parameter in Parameters)
        {
            var values = new float[parameter.Rows * parameter.Cols];
            if (parameter.Role == ParameterRole.Weight)
            {
                // encoder.hidden0.weight and encoder.hidden0.label_weight both belong to encoder.hidden0.
                double stddev = Math.Sqrt(1.3 * 2 / fanIns[parameter.Name[..parameter.Name.LastIndexOf('.')]]);
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (float)(stddev * TruncatedStandardNormal(random));
                }
            }

            Backend.Upload(parameter.Value, values);
            Backend.Fill(parameter.FirstMoment, 0);
            Backend.Fill(parameter.SecondMoment, 0);
        }
    }

    /// <summary>x (B, D) -> mu, sigma (B, Z) in the workspace; layers that read the label read w.Labels too.</summary>
    public void Encode(VaeWorkspace w, Tensor x, DropoutSettings dropout)
    {
        var input = x;
        for (int i = 0; i < Encoder.Count; i++)
        {
            Encoder[i].Forward(w.Encoder[i], input, dropout, w.Labels);
            input = w.Encoder[i].Output(dropout);
        }

        EncoderOutput.Forward(w.GaussianParameters, input);
        Backend.GaussianHead(w.Mu, w.Sigma, w.GaussianParameters);
    }

    /// <summary>z = mu + sigma * eps with fresh eps from the seed and the latent-noise stream staged in w.Step.</summary>
    public void Sample(VaeWorkspace w, ulong seed) =>
        Backend.Reparameterize(w.Z, w.Eps, w.Mu, w.Sigma, seed, new RandomStream(w.Step, RandomStreams.LatentNoiseSlot));

    /// <summary>
    /// Stages the streams of this step (<see cref="RandomStreams"/>) in w.Step and uploads them,
    /// for the passes that follow. Only once the device has finished with the last upload: after
    /// a download or a synchronize.
    /// </summary>
    public void StageStep(VaeWorkspace w, ulong step)
    {
        RandomStreams.Stage(w.Step, step);
        Backend.UploadStepValues(w.Step);
    }

    /// <summary>w.Z (B, Z) -> w.Probabilities (B, D); layers that read the label read w.Labels too.</summary>
    public void Decode(VaeWorkspace w, DropoutSettings dropout)
    {
        var input = w.Z;
        for (int i = 0; i < Decoder.Count; i++)
        {
            Decoder[i].Forward(w.Decoder[i], input, dropout, w.Labels);
            input = w.Decoder[i].Output(dropout);
        }

        DecoderOutput.Multiply(w.Logits, input);
        Backend.BiasActivationForward(Activation.Sigmoid, w.Probabilities, w.Logits, DecoderOutput.Bias.Value);
    }

    /// <summary>
    /// The whole forward pass for input x (the clean w.Target or a corrupted copy):
    /// per-image BCE against w.Target and KL land in w.Bce and w.Kl. Its random draws use the
    /// streams staged in w.Step (<see cref="StageStep"/>).
    /// </summary>
    public void Forward(VaeWorkspace w, Tensor x, DropoutSettings dropout, ulong seed)
    {
        Encode(w, x, dropout);
        Sample(w, seed);
        Decode(w, dropout);
        Backend.BinaryCrossEntropy(w.Bce, w.Probabilities, w.Target);
        Backend.KlDivergence(w.Kl, w.Mu, w.Sigma);
    }

    /// <summary>
    /// The importance-weighted forward pass (IWAE) over w.Samples rows per image: the
    /// <see cref="Forward"/> pass (BCE and KL per row, for reporting), then per row
    /// log w = log p(z) - log q(z | x) - BCE, the normalized weights, and the bound per image in w.Bound.
    /// </summary>
    public void ForwardImportanceWeighted(VaeWorkspace w, Tensor x, DropoutSettings dropout, ulong seed)
    {
        Forward(w, x, dropout, seed);
        Backend.LogPriorOverPosterior(w.LogPriorOverPosterior, w.Z, w.Eps, w.Sigma);
        Backend.ImportanceWeights(w.ImportanceWeights, w.Bound, w.Bce, w.LogPriorOverPosterior, w.Samples);
    }

    /// <summary>
    /// Gradients of the batch loss for every parameter, after the forward pass of the same
    /// objective with the same arguments. The ELBO: mean_b(BCE_b + beta * KL_b). The
    /// importance-weighted bound: mean_b -log (1/K sum_k w_bk), whose gradient is
    /// -sum_k w~_bk d(log w_bk), w~ the normalized weights: each row's ELBO-style gradient of
    /// BCE and of log q(z | x) - log p(z) (sampled, not the analytic KL), weighted by w~.
    /// </summary>
    public void Backward(VaeWorkspace w, Tensor x, DropoutSettings dropout, TrainingObjective? objective = null)
    {
        objective ??= TrainingObjective.Elbo;
        bool weighted = objective.ImportanceWeighted;
        float perImage = 1.0f / w.Images;
        Backend.BinaryCrossEntropyBackward(w.LogitsGradient, w.Probabilities, w.Target, perImage);
        if (weighted)
        {
            Backend.ScaleRows(w.LogitsGradient, w.ImportanceWeights);
        }

        DecoderOutput.Backward(w.Decoder[^1].Gradient, w.LogitsGradient, w.Decoder[^1].Output(dropout));
        for (int i = Decoder.Count - 1; i >= 0; i--)
        {
            // dz is dy W^T over the z part alone: the label's weight takes no part in it.
            Decoder[i].Backward(i > 0 ? w.Decoder[i - 1].Gradient : w.ZGradient, w.Decoder[i], i > 0 ? w.Decoder[i - 1].Output(dropout) : w.Z, dropout, w.Labels);
        }

        Backend.ReparameterizeBackward(w.MuGradient, w.SigmaGradient, w.ZGradient, w.Eps);
        if (weighted)
        {
            Backend.LogPriorOverPosteriorBackward(w.MuGradient, w.SigmaGradient, w.Z, w.Eps, w.Sigma, w.ImportanceWeights, perImage);
        }
        else
        {
            // perImage * 1 is perImage: beta = 1 is the unweighted ELBO to the bit.
            Backend.KlDivergenceBackward(w.MuGradient, w.SigmaGradient, w.Mu, w.Sigma, perImage * objective.Beta);
        }

        Backend.GaussianHeadBackward(w.GaussianParametersGradient, w.MuGradient, w.SigmaGradient, w.GaussianParameters);

        EncoderOutput.Backward(w.Encoder[^1].Gradient, w.GaussianParametersGradient, w.Encoder[^1].Output(dropout));
        for (int i = Encoder.Count - 1; i >= 0; i--)
        {
            // The first layer's input is the data, which needs no gradient.
            Encoder[i].Backward(i > 0 ? w.Encoder[i - 1].Gradient : null, w.Encoder[i], i > 0 ? w.Encoder[i - 1].Output(dropout) : x, dropout, w.Labels);
        }
    }

    public void Dispose() => Parameters.Dispose();

    /// <summary>Box-Muller draws, redrawn until within two standard deviations.</summary>
    private static double TruncatedStandardNormal(Random random)
    {
        while (true)
        {
            double radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
            double value = radius * Math.Cos(2 * Math.PI * random.NextDouble());
            if (Math.Abs(value) <= 2)
            {
                return value;
            }
        }
    }
}
