namespace GpuVae.App.Experiment;

/// <summary>
/// The importance-weighted NLL's cost: k samples per image over the first N test images.
/// k = 1000 over all 10,000 images takes hours on two CPU cores, hence the choice.
/// </summary>
public sealed record NllOptions(int Samples, int Images);
