using GpuVae.Kernels;
using GpuVae.Kernels.Operations;

namespace GpuVae.Model.Network;

/// <summary>
/// Every activation and gradient buffer of one forward/backward pass for a batch of B
/// rows, allocated once and reused every step. Under the importance-weighted objective the
/// rows are B / K images, each replicated into K consecutive rows, one per sample of z.
/// </summary>
public sealed class VaeWorkspace : IDisposable
{
    public VaeWorkspace(Backend backend, VaeConfig config, int batch, int samples = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        if (batch % samples != 0)
        {
            throw new ArgumentException($"{batch} rows are no whole number of images of {samples} samples", nameof(samples));
        }

        Batch = batch;
        Samples = samples;
        var spec = config.Layers;
        int d = config.Pixels, z = config.Latent;
        Target = backend.Allocate(batch, d);
        CorruptedInput = backend.Allocate(batch, d);
        Labels = spec.ReadsLabels ? backend.Allocate(batch, config.Classes) : null;
        Encoder = [.. spec.EncoderHidden.Select(layer => new HiddenActivations(backend, batch, layer.Outputs))];
        GaussianParameters = backend.Allocate(batch, 2 * z);
        GaussianParametersGradient = backend.Allocate(batch, 2 * z);
        Mu = backend.Allocate(batch, z);
        Sigma = backend.Allocate(batch, z);
        Eps = backend.Allocate(batch, z);
        Z = backend.Allocate(batch, z);
        MuGradient = backend.Allocate(batch, z);
        SigmaGradient = backend.Allocate(batch, z);
        ZGradient = backend.Allocate(batch, z);
        Decoder = [.. spec.DecoderHidden.Select(layer => new HiddenActivations(backend, batch, layer.Outputs))];
        Logits = backend.Allocate(batch, d);
        Probabilities = backend.Allocate(batch, d);
        LogitsGradient = backend.Allocate(batch, d);
        Bce = backend.Allocate(batch, 1);
        Kl = backend.Allocate(batch, 1);
        LogPriorOverPosterior = backend.Allocate(batch, 1);
        ImportanceWeights = backend.Allocate(batch, 1);
        Bound = backend.Allocate(batch / samples, 1);
        Step = backend.AllocateStepValues(batch);
    }

    /// <summary>Rows: images times samples per image.</summary>
    public int Batch { get; }

    /// <summary>K: samples of z per image (1 for the ELBO).</summary>
    public int Samples { get; }

    /// <summary>Images: Batch / Samples.</summary>
    public int Images => Batch / Samples;

    /// <summary>x (B, D): the clean images, the reconstruction target.</summary>
    public Tensor Target { get; }

    /// <summary>(B, D): the encoder's input when input corruption is on.</summary>
    public Tensor CorruptedInput { get; }

    /// <summary>(B, C): the images' labels as one-hot rows where a layer reads them; null where none does.</summary>
    public Tensor? Labels { get; }

    /// <summary>The encoder's hidden layers' buffers, one per layer of the list, each (B, out).</summary>
    public IReadOnlyList<HiddenActivations> Encoder { get; }

    /// <summary>(B, 2Z): the encoder's output, [mu, raw sigma].</summary>
    public Tensor GaussianParameters { get; }

    public Tensor GaussianParametersGradient { get; }

    public Tensor Mu { get; }

    public Tensor Sigma { get; }

    public Tensor Eps { get; }

    public Tensor Z { get; }

    public Tensor MuGradient { get; }

    public Tensor SigmaGradient { get; }

    public Tensor ZGradient { get; }

    /// <summary>The decoder's hidden layers' buffers, one per layer of the list, each (B, out).</summary>
    public IReadOnlyList<HiddenActivations> Decoder { get; }

    /// <summary>(B, D) before the sigmoid.</summary>
    public Tensor Logits { get; }

    /// <summary>(B, D): the decoder's Bernoulli means.</summary>
    public Tensor Probabilities { get; }

    public Tensor LogitsGradient { get; }

    /// <summary>(B, 1): reconstruction error per image, nats.</summary>
    public Tensor Bce { get; }

    /// <summary>(B, 1): KL divergence per image, nats.</summary>
    public Tensor Kl { get; }

    /// <summary>(B, 1): log p(z) - log q(z | x) per row, for the importance weights.</summary>
    public Tensor LogPriorOverPosterior { get; }

    /// <summary>(B, 1): each row's normalized importance weight among its image's K rows.</summary>
    public Tensor ImportanceWeights { get; }

    /// <summary>(B / K, 1): the importance-weighted bound -log (1/K sum_k w_k) per image, nats.</summary>
    public Tensor Bound { get; }

    /// <summary>The values of the step these buffers serve: its random streams, Adam's scalars and its B rows.</summary>
    public StepValues Step { get; }

    public void Dispose()
    {
        Step.Dispose();
        foreach (var tensor in new[]
        {
            Target, CorruptedInput, GaussianParameters, GaussianParametersGradient, Mu, Sigma, Eps, Z,
            MuGradient, SigmaGradient, ZGradient, Logits, Probabilities, LogitsGradient, Bce, Kl,
            LogPriorOverPosterior, ImportanceWeights, Bound,
        })
        {
            tensor.Dispose();
        }

        Labels?.Dispose();
        foreach (var layer in Encoder.Concat(Decoder))
        {
            layer.Dispose();
        }
    }
}
