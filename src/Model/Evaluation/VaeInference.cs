using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Network;
using GpuVae.Model.Training;

namespace GpuVae.Model.Evaluation;

/// <summary>
/// Dropout-free passes over many images in batches: test losses, posterior means,
/// reconstructions, decodings of given codes and the importance-weighted likelihood bound.
/// Draws use evaluation streams, so a given model always gets the same numbers. The
/// conditional VAE reads each image's or code's one-hot label (N, C) beside it: every pass
/// conditions on it.
/// </summary>
public sealed class VaeInference : IDisposable
{
    private readonly Dictionary<int, VaeWorkspace> workspaces = [];

    public VaeInference(Vae model, ulong seed, int batchSize = 500)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Model = model;
        Seed = seed;
        BatchSize = batchSize;
    }

    public Vae Model { get; }

    public ulong Seed { get; }

    public int BatchSize { get; }

    private Backend Backend => Model.Backend;

    private int Pixels => Model.Config.Pixels;

    private int Latent => Model.Config.Latent;

    /// <summary>Mean BCE and KL per image over images (N, D), one z sample per image.</summary>
    public LossTotals Evaluate(ReadOnlySpan<float> images, ReadOnlySpan<float> labels = default)
    {
        var totals = new LossTotals();
        var bce = new float[BatchSize];
        var kl = new float[BatchSize];
        int count = images.Length / Pixels;
        for (int start = 0, chunk = 0; start < count; start += BatchSize, chunk++)
        {
            var w = Load(images, labels, start, count);
            Model.StageStep(w, RandomStreams.EvaluationBase + (ulong)chunk);
            Model.Forward(w, w.Target, DropoutSettings.Off, Seed);
            Backend.Download(w.Bce, bce.AsSpan(0, w.Batch));
            Backend.Download(w.Kl, kl.AsSpan(0, w.Batch));
            totals.Add(bce.AsSpan(0, w.Batch), kl.AsSpan(0, w.Batch));
        }

        return totals;
    }

    /// <summary>Posterior means mu (N, Z) of images (N, D).</summary>
    public float[] EncodeMeans(ReadOnlySpan<float> images, ReadOnlySpan<float> labels = default)
    {
        int count = images.Length / Pixels;
        var codes = new float[count * Latent];
        for (int start = 0; start < count; start += BatchSize)
        {
            var w = Load(images, labels, start, count);
            Model.Encode(w, w.Target, DropoutSettings.Off);
            Backend.Download(w.Mu, codes.AsSpan(start * Latent, w.Batch * Latent));
        }

        return codes;
    }

    /// <summary>
    /// The diagonal Gaussian posteriors q(z | x) of images (N, D): means mu and standard
    /// deviations sigma, both (N, Z).
    /// </summary>
    public (float[] Mu, float[] Sigma) EncodePosteriors(ReadOnlySpan<float> images, ReadOnlySpan<float> labels = default)
    {
        int count = images.Length / Pixels;
        var mu = new float[count * Latent];
        var sigma = new float[count * Latent];
        for (int start = 0; start < count; start += BatchSize)
        {
            var w = Load(images, labels, start, count);
            Model.Encode(w, w.Target, DropoutSettings.Off);
            Backend.Download(w.Mu, mu.AsSpan(start * Latent, w.Batch * Latent));
            Backend.Download(w.Sigma, sigma.AsSpan(start * Latent, w.Batch * Latent));
        }

        return (mu, sigma);
    }

    /// <summary>Decoder means (N, D) for the posterior means of images (N, D).</summary>
    public float[] Reconstruct(ReadOnlySpan<float> images, ReadOnlySpan<float> labels = default) => Decode(EncodeMeans(images, labels), labels);

    /// <summary>Decoder means (N, D) for codes (N, Z).</summary>
    public float[] Decode(ReadOnlySpan<float> codes, ReadOnlySpan<float> labels = default)
    {
        int count = codes.Length / Latent;
        var result = new float[count * Pixels];
        for (int start = 0; start < count; start += BatchSize)
        {
            var w = Workspace(Math.Min(BatchSize, count - start));
            Backend.Upload(w.Z, codes.Slice(start * Latent, w.Batch * Latent));
            LoadLabels(w, labels, start, count);
            Model.Decode(w, DropoutSettings.Off);
            Backend.Download(w.Probabilities, result.AsSpan(start * Pixels, w.Batch * Pixels));
        }

        return result;
    }

    /// <summary>
    /// Burda et al.'s bound log p(x) >= log (1/k) sum_k p(x, z_k) / q(z_k | x), per image,
    /// averaged over images (N, D): returns the mean negative log-likelihood bound in nats.
    /// </summary>
    public double ImportanceWeightedNll(ReadOnlySpan<float> images, int samples, ReadOnlySpan<float> labels = default)
    {
        using var bound = StartImportanceWeightedNll(images.Length / Pixels, samples);
        while (!bound.Done)
        {
            bound.Begin(images, labels);
            bound.Finish();
        }

        return bound.Nll;
    }

    /// <summary>The same bound over <paramref name="count"/> images, to be taken a sample at a time (<see cref="ImportanceWeightedBound"/>).</summary>
    public ImportanceWeightedBound StartImportanceWeightedNll(int count, int samples) => new(this, count, samples);

    public void Dispose()
    {
        foreach (var workspace in workspaces.Values)
        {
            workspace.Dispose();
        }

        workspaces.Clear();
    }

    /// <summary>Uploads images [start, start + batch) into a workspace's target, and their labels for the conditional VAE.</summary>
    internal VaeWorkspace Load(ReadOnlySpan<float> images, ReadOnlySpan<float> labels, int start, int count)
    {
        var w = Workspace(Math.Min(BatchSize, count - start));
        Backend.Upload(w.Target, images.Slice(start * Pixels, w.Batch * Pixels));
        LoadLabels(w, labels, start, count);
        return w;
    }

    /// <summary>Uploads rows [start, start + batch) of labels (N, C) into w.Labels; the plain VAE has none and takes none.</summary>
    private void LoadLabels(VaeWorkspace w, ReadOnlySpan<float> labels, int start, int count)
    {
        if (w.Labels is null)
        {
            return;
        }

        int classes = w.Labels.Cols;
        if (labels.Length != count * classes)
        {
            throw new ArgumentException($"the conditional VAE needs one-hot labels ({count}, {classes}) beside its inputs, got {labels.Length} values", nameof(labels));
        }

        Backend.Upload(w.Labels, labels.Slice(start * classes, w.Batch * classes));
    }

    private VaeWorkspace Workspace(int batch)
    {
        if (!workspaces.TryGetValue(batch, out var workspace))
        {
            workspace = new VaeWorkspace(Backend, Model.Config, batch);
            workspaces[batch] = workspace;
        }

        return workspace;
    }
}
