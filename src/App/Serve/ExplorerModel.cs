using GpuVae.App.Data;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;

namespace GpuVae.App.Serve;

/// <summary>
/// One model the explorer serves: its weights, the first N test images with their labels, and
/// their posteriors q(z | x), encoded once at startup; for the conditional VAE q(z | x, y) given
/// each image's true label, and every decode p(x | z, y) given a class. Not thread-safe, as the
/// backend is not: <see cref="ExplorerServer"/> serializes every call.
/// </summary>
public sealed class ExplorerModel : IDisposable
{
    private readonly Vae model;
    private readonly VaeInference inference;

    /// <summary>Takes ownership of model; encodes the first images of test (all if fewer).</summary>
    public ExplorerModel(string id, Vae model, MnistSet test, int images)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(images);
        Id = id;
        this.model = model;
        inference = new VaeInference(model, seed: 0);
        Count = Math.Min(images, test.Count);
        Images = test.Images.AsSpan(0, Count * Pixels).ToArray();
        Labels = test.Labels is { } labels ? labels[..Count] : throw new ArgumentException("the explorer needs the test labels", nameof(test));
        (Mu, Sigma) = inference.EncodePosteriors(Images, ReadsLabels ? LabelOneHots.Of(Labels, Classes) : default);
    }

    /// <summary>The name requests use: the run folder's name, e.g. dim2.</summary>
    public string Id { get; }

    public VaeConfig Config => model.Config;

    public int Latent => Config.Latent;

    public int Pixels => Config.Pixels;

    public bool ReadsLabels => Config.ReadsLabels;

    /// <summary>C, the classes a decode of the conditional VAE picks from; 0 for the plain VAE.</summary>
    public int Classes => Config.Classes;

    /// <summary>N test images served.</summary>
    public int Count { get; }

    /// <summary>(N, D), each in [0, 1].</summary>
    public float[] Images { get; }

    /// <summary>(N), each 0..9.</summary>
    public byte[] Labels { get; }

    /// <summary>Posterior means (N, Z).</summary>
    public float[] Mu { get; }

    /// <summary>Posterior standard deviations (N, Z).</summary>
    public float[] Sigma { get; }

    /// <summary>
    /// Decoder means (D) for one code z (Z): given label, 0..C-1, for the conditional VAE; the
    /// plain VAE takes none.
    /// </summary>
    public float[] Decode(ReadOnlySpan<float> z, int? label = null)
    {
        if (ReadsLabels != label.HasValue)
        {
            throw new ArgumentException(ReadsLabels ? $"model {Id} is a cvae: a decode needs a class" : $"model {Id} is a plain VAE: a decode takes no class", nameof(label));
        }

        return label is { } c ? inference.Decode(z, LabelOneHots.Repeat(c, 1, Classes)) : inference.Decode(z);
    }

    /// <summary>Test image index's reconstruction (D): its posterior mean decoded, given its true label for the conditional VAE.</summary>
    public float[] Reconstruct(int index) =>
        Decode(Mu.AsSpan(index * Latent, Latent), ReadsLabels ? Labels[index] : null);

    public void Dispose()
    {
        inference.Dispose();
        model.Dispose();
    }
}
