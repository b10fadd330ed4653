using GpuVae.Kernels;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;

namespace GpuVae;

/// <summary>
/// A trained VAE loaded from its checkpoint folder onto an accelerator: encode images to their
/// posteriors q(z | x), decode codes z to images, sample from the prior, reconstruct, and bound
/// -log p(x) by importance weighting. Images are rows of D pixels in [0, 1] (N images are N x D
/// floats, row-major), codes rows of Z floats; a conditional model takes a class label per image
/// or code. Every pass runs without dropout, so the same input gives the same output. Bad input
/// is an <see cref="ArgumentException"/> naming the argument, checked before anything runs.
/// Not thread-safe: one model serves one caller at a time.
/// </summary>
/// <example>
/// <code>
/// using var model = VaeModel.Load("save/dim2", AcceleratorChoice.Host);
/// var (mu, sigma) = model.Encode(image);   // image: 784 floats in [0, 1]
/// float[] digit = model.Decode([0.5f, -1f]);
/// </code>
/// </example>
public sealed class VaeModel : IDisposable
{
    private readonly Backend backend;
    private readonly Vae model;
    private readonly VaeInference inference;
    private bool disposed;

    private VaeModel(Backend backend, Vae model, string device)
    {
        this.backend = backend;
        this.model = model;
        Device = device;
        Config = ModelFolder.Describe(model.Config);
        inference = new VaeInference(model, seed: 0);
    }

    /// <summary>The model's sizes, image shape and classes, read from the checkpoint.</summary>
    public VaeModelConfig Config { get; }

    /// <summary>The device the model runs on, in words (and, for <see cref="AcceleratorChoice.Auto"/>, why it was picked).</summary>
    public string Device { get; }

    /// <summary>
    /// Loads the weights in a checkpoint folder (one that training wrote: model.safetensors
    /// and its metadata) onto the accelerator chosen.
    /// </summary>
    /// <param name="folder">The checkpoint folder, e.g. save/dim2.</param>
    /// <param name="accelerator">Where to run, as the command line's --accelerator.</param>
    /// <param name="device">Index among the devices of the accelerator's kind, as --device.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder holds no weights.</exception>
    /// <exception cref="InvalidDataException">The checkpoint is damaged or not GpuVae's; the message names the file and the fault.</exception>
    /// <exception cref="InvalidOperationException">The accelerator is absent or unusable; the message says why.</exception>
    public static VaeModel Load(string folder, AcceleratorChoice accelerator = AcceleratorChoice.Auto, int device = 0)
    {
        ModelFolder.Existing(folder, nameof(folder));
        var network = ModelFolder.ReadNetwork(folder);
        var (backend, description) = Backends.Create(accelerator, device, nameof(device));
        try
        {
            return new VaeModel(backend, ModelFolder.LoadModel(folder, network, backend), description);
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>The posteriors q(z | x) of images: their means and standard deviations.</summary>
    /// <param name="images">N images, (N, D) pixels in [0, 1].</param>
    /// <param name="labels">For a conditional model, N class labels; for a plain VAE, none.</param>
    /// <returns>Mu and Sigma, each (N, Z).</returns>
    public (float[] Mu, float[] Sigma) Encode(ReadOnlySpan<float> images, ReadOnlySpan<int> labels = default)
    {
        ThrowIfDisposed();
        int count = Inputs.Images(images, Config.Pixels, nameof(images));
        return inference.EncodePosteriors(images, Inputs.Labels(labels, count, Config, nameof(labels)));
    }

    /// <summary>The decoder's pixel probabilities p(x | z) (the mean image) for codes z.</summary>
    /// <param name="z">N codes, (N, Z) finite numbers.</param>
    /// <param name="labels">For a conditional model, the class of each code; for a plain VAE, none.</param>
    /// <returns>(N, D) pixels in [0, 1].</returns>
    public float[] Decode(ReadOnlySpan<float> z, ReadOnlySpan<int> labels = default)
    {
        ThrowIfDisposed();
        int count = Inputs.Codes(z, Config.Latent, nameof(z));
        return inference.Decode(z, Inputs.Labels(labels, count, Config, nameof(labels)));
    }

    /// <summary>Images decoded from codes drawn from the prior N(0, I); the same seed gives the same images.</summary>
    /// <param name="count">N, the images to draw.</param>
    /// <param name="seed">Seed of the draws of z.</param>
    /// <param name="label">For a conditional model, the class of every sample; for a plain VAE, null.</param>
    /// <returns>(N, D) pixels in [0, 1].</returns>
    public float[] Sample(int count, int seed, int? label = null)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (Config.Conditional != label.HasValue)
        {
            throw new ArgumentException(
                Config.Conditional ? $"label: a conditional model samples given a class, 0 to {Config.Classes - 1}" : "label: a plain VAE takes no label", nameof(label));
        }

        if ((long)count * Config.Latent > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "more samples than one array of codes can hold");
        }

        var z = new float[count * Config.Latent];
        var random = new Random(seed);
        for (int i = 0; i < z.Length; i++)
        {
            // Box-Muller on (0, 1]: 1 - NextDouble() is never 0, so the log is finite.
            z[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        int[] labels = label is { } c ? Enumerable.Repeat(c, count).ToArray() : [];
        return Decode(z, labels);
    }

    /// <summary>Reconstructions of images: each image's posterior mean decoded (given its label, for a conditional model).</summary>
    /// <param name="images">N images, (N, D) pixels in [0, 1].</param>
    /// <param name="labels">For a conditional model, N class labels; for a plain VAE, none.</param>
    /// <returns>(N, D) pixels in [0, 1].</returns>
    public float[] Reconstruct(ReadOnlySpan<float> images, ReadOnlySpan<int> labels = default)
    {
        ThrowIfDisposed();
        int count = Inputs.Images(images, Config.Pixels, nameof(images));
        return inference.Reconstruct(images, Inputs.Labels(labels, count, Config, nameof(labels)));
    }

    /// <summary>
    /// The importance-weighted bound of Burda et al. on -log p(x) (-log p(x | y) for a conditional
    /// model) in nats, averaged over images: -log (1/k sum_i p(x, z_i) / q(z_i | x)) with k draws
    /// of z from the posterior. It tightens as k grows; the draws are fixed, so the same images
    /// give the same number. Pixels are the Bernoulli targets as given: a model trained
    /// binarized (<see cref="VaeModelConfig.Binarized"/>) is meant for 0/1 images.
    /// </summary>
    /// <param name="images">N images, (N, D) pixels in [0, 1].</param>
    /// <param name="samples">k, the draws of z per image.</param>
    /// <param name="labels">For a conditional model, N class labels; for a plain VAE, none.</param>
    public double ImportanceWeightedBound(ReadOnlySpan<float> images, int samples = 1000, ReadOnlySpan<int> labels = default)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        int count = Inputs.Images(images, Config.Pixels, nameof(images));
        return inference.ImportanceWeightedNll(images, samples, Inputs.Labels(labels, count, Config, nameof(labels)));
    }

    /// <summary>Frees the model's buffers and its accelerator.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        inference.Dispose();
        model.Dispose();
        backend.Dispose();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);
}
