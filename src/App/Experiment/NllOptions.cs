namespace GpuVae.App.Experiment;

/// <summary>
/// The importance-weighted NLL's cost: k samples per image over the first N test images.
/// k = 1000 over all 10,000 images is 10 million decodings: about a minute per dim on two
/// CPU cores with the host backend.
/// </summary>
public sealed record NllOptions(int Samples, int Images);
