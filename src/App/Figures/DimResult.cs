using GpuVae.Model.Training;

namespace GpuVae.App.Figures;

/// <summary>
/// One latent dimension's outcome for the report: its epochs in order and, when it was
/// computed, the importance-weighted test NLL in nats per image with the number of samples k
/// per image it used and the number of test images it averaged over (all when null), and
/// whether it was trained on binarized pixels (then the NLL is on a normalized likelihood), and
/// whether it is the conditional VAE (known only where its weights are).
/// </summary>
public sealed record DimResult(
    int Z, IReadOnlyList<EpochMetrics> Epochs, double? TestNll = null, int? NllSamples = null, int? NllImages = null, bool Binarized = false, bool Conditional = false);
