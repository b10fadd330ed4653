using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using GpuVae.Model.Network;
using GpuVae.Model.Training;
using GpuVae.Tests.App.Figures;
using Xunit;

namespace GpuVae.Tests.Model.Network;

/// <summary>
/// The hand-written backward pass of the whole network against central finite differences
/// of an independent float64 forward pass, for every parameter tensor, on a tiny network:
/// with the clean image as input, with a corrupted input scored against the clean target (the
/// denoising path), and with decoder outputs deep in the probability clamp's flat regions.
/// </summary>
public sealed class GradientCheckTests
{
    // The analytic gradient is computed in float32: its rounding error is about 1e-7 relative
    // per operation over a few dozen chained operations, and the float64 finite difference
    // with step 1e-5 has truncation error ~1e-10; 1e-3 relative plus 1e-5 absolute leaves
    // two orders of margin while still catching any wrong term (those are O(1) relative).
    private const double AbsoluteTolerance = 1e-5;
    private const double RelativeTolerance = 1e-3;
    private const double FiniteDifferenceStep = 1e-5;

    private static readonly VaeConfig TinyConfig = new(Latent: 3, Hidden: 7, Pixels: 12);

    // Decoder-output biases that put a pixel's logit this far past the clamp's edges
    // (|logit| = 18.4 at p = 1e-8 or 1 - 1e-8): the rest of the logit is a few units, so the
    // clamp holds in float and float64 and for every finite-difference step. Nearer the edge,
    // logits in (17.3, 18.4) round p to 1 in float (clamped, gradient 0) but not in float64.
    private const float DeepInClamp = 30;

    [Theory]
    [InlineData(1.0f, 11)]
    [InlineData(0.7f, 12)]
    public void BackwardMatchesFiniteDifferencesForEveryParameter(float keepProbability, int seed) =>
        Check(keepProbability, seed, inputNoise: 0, reachClamp: false);

    /// <summary>x is the target with half its pixels forced to 0 or 1: the encoder sees x, the BCE scores the clean target.</summary>
    [Theory]
    [InlineData(1.0f, 21)]
    [InlineData(0.7f, 22)]
    public void DenoisingBackwardMatchesFiniteDifferences(float keepProbability, int seed) =>
        Check(keepProbability, seed, inputNoise: 0.5f, reachClamp: false);

    /// <summary>
    /// A third of the pixels' probabilities clamped at 1 - 1e-8, a third at 1e-8: the clamped
    /// loss is flat there, so its finite differences are 0, and the hand-written backward must
    /// give 0 too (as tf.clip_by_value's gradient), not p - t.
    /// </summary>
    [Theory]
    [InlineData(1.0f, 31)]
    [InlineData(0.7f, 32)]
    public void ClampedProbabilitiesGetTheClampedLossesZeroGradient(float keepProbability, int seed) =>
        Check(keepProbability, seed, inputNoise: 0.5f, reachClamp: true);

    /// <summary>beta-VAE: the KL term's gradient scaled by beta, the BCE's untouched.</summary>
    [Theory]
    [InlineData(0.25f, 41)]
    [InlineData(3f, 42)]
    public void BetaWeightedBackwardMatchesFiniteDifferences(float beta, int seed) =>
        Check(0.7f, seed, inputNoise: 0, reachClamp: false, new TrainingObjective(beta));

    /// <summary>
    /// The importance-weighted bound (IWAE) at K = 3, each image replicated into 3 rows with
    /// their own eps and dropout masks: the weighted per-sample gradients against the finite
    /// differences of a float64 log-sum-exp over the samples' log weights. K = 1 is the ELBO
    /// with the KL sampled rather than analytic.
    /// </summary>
    [Theory]
    [InlineData(1.0f, 0f, 3, 51)]
    [InlineData(0.7f, 0f, 3, 52)]
    [InlineData(0.7f, 0.5f, 3, 53)]
    [InlineData(0.7f, 0f, 1, 54)]
    public void ImportanceWeightedBackwardMatchesFiniteDifferences(float keepProbability, float inputNoise, int samples, int seed) =>
        Check(keepProbability, seed, inputNoise, reachClamp: false, new TrainingObjective(1, ImportanceWeighted: true, samples));

    /// <summary>
    /// The conditional VAE: the label weights of both first hidden layers (dW_label = l^T dy)
    /// and every other gradient with the label joining the encoder's and the decoder's input,
    /// against the float64 layer over the concatenated [x, y] and [z, y].
    /// </summary>
    [Theory]
    [InlineData(1.0f, 0f, 61)]
    [InlineData(0.7f, 0f, 62)]
    [InlineData(0.7f, 0.5f, 63)]
    public void ConditionalBackwardMatchesFiniteDifferences(float keepProbability, float inputNoise, int seed) =>
        Check(keepProbability, seed, inputNoise, reachClamp: false, config: TinyConfig with { Kind = ModelKind.Cvae, Classes = 4 });

    /// <summary>
    /// A layer list other than the original's: three encoder layers and two decoder layers of
    /// odd widths, tanh and ELU in another order, five hidden layers in all (the fifth's
    /// dropout on the step's slot 7), for the plain and the conditional VAE.
    /// </summary>
    [Theory]
    [InlineData(ModelKind.Vae, 1.0f, 71)]
    [InlineData(ModelKind.Vae, 0.7f, 72)]
    [InlineData(ModelKind.Cvae, 1.0f, 73)]
    [InlineData(ModelKind.Cvae, 0.7f, 74)]
    public void AnotherLayerListBackwardMatchesFiniteDifferences(ModelKind kind, float keepProbability, int seed) =>
        Check(keepProbability, seed, inputNoise: 0, reachClamp: false, config: TinyConfig with
        {
            Encoder = [new(9, Activation.Tanh), new(5, Activation.Elu), new(3, Activation.Tanh)],
            Decoder = [new(5, Activation.Elu), new(7, Activation.Tanh)],
            Kind = kind,
            Classes = kind == ModelKind.Cvae ? 4 : 0,
        });

    /// <summary>
    /// ReLU and GELU as hidden layers: the network's backward through them against float64
    /// finite differences of the whole loss (their elementwise derivatives alone are checked
    /// in ActivationGradientTests). GELU's derivative reads the pre-activation, ReLU's kink at
    /// 0 is met with probability zero by these random inputs.
    /// </summary>
    [Theory]
    [InlineData(ModelKind.Vae, 1.0f, 81)]
    [InlineData(ModelKind.Vae, 0.7f, 82)]
    [InlineData(ModelKind.Cvae, 0.7f, 83)]
    public void ReluAndGeluLayersBackwardMatchesFiniteDifferences(ModelKind kind, float keepProbability, int seed) =>
        Check(keepProbability, seed, inputNoise: 0, reachClamp: false, config: TinyConfig with
        {
            Encoder = [new(9, Activation.Relu), new(5, Activation.Gelu)],
            Decoder = [new(6, Activation.Gelu), new(7, Activation.Relu)],
            Kind = kind,
            Classes = kind == ModelKind.Cvae ? 4 : 0,
        });

    private static void Check(float keepProbability, int seed, float inputNoise, bool reachClamp, TrainingObjective? objective = null, VaeConfig? config = null)
    {
        objective ??= TrainingObjective.Elbo;
        var tinyConfig = config ?? TinyConfig;
        int samples = objective.RowsPerImage;
        int batch = 5 * samples;
        const ulong noiseSeed = 99;
        const ulong step = 3;
        using var backend = new HostBackend();
        using var model = new Vae(backend, tinyConfig);
        model.Initialize(seed);
        using var workspace = new VaeWorkspace(backend, tinyConfig, batch, samples);
        var random = new Random(seed);
        var pixels = new float[batch * TinyConfig.Pixels];
        for (int i = 0; i < pixels.Length; i++)
        {
            // Each image's K rows are copies of it.
            int row = i / TinyConfig.Pixels;
            pixels[i] = row % samples == 0 ? (float)random.NextDouble() : pixels[i - TinyConfig.Pixels];
        }

        // Nonzero biases so that every term of the bias gradients is exercised.
        foreach (var parameter in model.Parameters.Where(p => p.Role == ParameterRole.Bias))
        {
            var values = new float[parameter.Cols];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)((random.NextDouble() * 0.4) - 0.2);
            }

            backend.Upload(parameter.Value, values);
        }

        if (reachClamp)
        {
            var outputBias = model.Parameters["decoder.output.bias"];
            var values = Download(backend, outputBias.Value);
            int third = values.Length / 3;
            for (int i = 0; i < 2 * third; i++)
            {
                values[i] += i < third ? DeepInClamp : -DeepInClamp;
            }

            backend.Upload(outputBias.Value, values);
        }

        backend.Upload(workspace.Target, pixels);
        // Each image's label, the same in its K rows; every class appears among the 5 images (C = 4).
        float[]? labels = tinyConfig.ReadsLabels ? LabelOneHots.Of([.. Enumerable.Range(0, batch).Select(row => (byte)(row / samples % tinyConfig.Classes))], tinyConfig.Classes) : null;
        if (workspace.Labels is not null)
        {
            backend.Upload(workspace.Labels, labels);
        }

        var x = workspace.Target;
        model.StageStep(workspace, step);
        if (inputNoise > 0)
        {
            backend.SaltAndPepper(workspace.CorruptedInput, workspace.Target, inputNoise, noiseSeed, new RandomStream(workspace.Step, RandomStreams.InputNoiseSlot));
            x = workspace.CorruptedInput;
        }

        var dropout = new DropoutSettings(keepProbability, noiseSeed, workspace.Step);
        if (objective.ImportanceWeighted)
        {
            model.ForwardImportanceWeighted(workspace, x, dropout, noiseSeed);
        }
        else
        {
            model.Forward(workspace, x, dropout, noiseSeed);
        }

        model.Backward(workspace, x, dropout, objective);

        var input = Download(backend, x);
        if (inputNoise > 0)
        {
            int changed = input.Where((value, i) => value != pixels[i]).Count();
            Assert.True(changed > pixels.Length / 4, $"only {changed} of {pixels.Length} inputs differ from the target");
        }

        var probabilities = Download(backend, workspace.Probabilities);
        int clampedHigh = probabilities.Count(p => p > 1 - 1e-8), clampedLow = probabilities.Count(p => p < 1e-8);
        Assert.True(
            reachClamp ? clampedHigh >= batch && clampedLow >= batch : clampedHigh + clampedLow == 0,
            $"{clampedHigh} probabilities clamped high, {clampedLow} low, of {probabilities.Length}");

        var eps = Download(backend, workspace.Eps);
        var reference = new ReferenceVae(
            tinyConfig, batch, input, pixels, eps, keepProbability,
            (slot, element) => GpuVae.Kernels.Operations.Dropout.Keeps(keepProbability, noiseSeed, RandomStreams.Of(step, slot), element))
        {
            Beta = objective.Beta,
            ImportanceSamples = objective.ImportanceWeighted ? samples : 0,
            Labels = labels is null ? null : Array.ConvertAll(labels, v => (double)v),
        };
        var parameters = model.Parameters.Select(p => Array.ConvertAll(Download(backend, p.Value), v => (double)v)).ToList();

        double forwardLoss = objective.ImportanceWeighted
            ? Download(backend, workspace.Bound).Average()
            : (Download(backend, workspace.Bce).Sum() + (objective.Beta * Download(backend, workspace.Kl).Sum())) / batch;
        double referenceLoss = reference.Loss(parameters);
        Assert.True(
            Math.Abs(forwardLoss - referenceLoss) <= 1e-4 * Math.Abs(referenceLoss),
            $"forward loss {forwardLoss} differs from the float64 reference {referenceLoss}");

        for (int t = 0; t < parameters.Count; t++)
        {
            var analytic = Download(backend, model.Parameters[t].Gradient);
            var values = parameters[t];
            for (int i = 0; i < values.Length; i++)
            {
                double saved = values[i];
                values[i] = saved + FiniteDifferenceStep;
                double plus = reference.Loss(parameters);
                values[i] = saved - FiniteDifferenceStep;
                double minus = reference.Loss(parameters);
                values[i] = saved;
                double numeric = (plus - minus) / (2 * FiniteDifferenceStep);
                Assert.True(
                    Math.Abs(analytic[i] - numeric) <= AbsoluteTolerance + (RelativeTolerance * Math.Abs(numeric)),
                    $"{model.Parameters[t].Name}[{i}]: analytic {analytic[i]:G9}, finite difference {numeric:G9}");
            }
        }
    }

    private static float[] Download(Backend backend, Tensor tensor)
    {
        var values = new float[tensor.Length];
        backend.Download(tensor, values);
        return values;
    }
}
