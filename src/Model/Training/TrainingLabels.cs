namespace GpuVae.Model.Training;

/// <summary>
/// The one-hot labels (N, C) of the images a conditional VAE trains and is evaluated on, row for
/// row beside the training, test and validation images.
/// </summary>
public sealed record TrainingLabels(float[] Train, float[] Test, float[]? Validation = null);
