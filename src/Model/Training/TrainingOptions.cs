using GpuVae.Kernels.Operations;

namespace GpuVae.Model.Training;

/// <summary>The TensorFlow original's training defaults: Adam 1e-3, batch 128, keep probability 0.9, 20 epochs.</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 20;

    public int BatchSize { get; init; } = 128;

    /// <summary>Adam's learning rate for each pass: the original's 1e-3 throughout by default.</summary>
    public LearningRateSchedule LearningRates { get; init; } = LearningRateSchedule.Constant(1e-3f);

    public float KeepProbability { get; init; } = 0.9f;

    public int Seed { get; init; }

    /// <summary>Salt-and-pepper fraction of the denoising variant; 0 trains on clean inputs.</summary>
    public float InputNoise { get; init; }

    /// <summary>Images per evaluation pass: larger batches amortize launches, no gradients are kept.</summary>
    public int EvaluationBatchSize { get; init; } = 500;

    /// <summary>The loss a step minimizes: the ELBO with its KL weight, or the importance-weighted bound.</summary>
    public TrainingObjective Objective { get; init; } = TrainingObjective.Elbo;

    /// <summary>
    /// Whether the step is captured once as a CUDA graph and replayed (where the backend can:
    /// CUDA); the trained bits are the same either way. Off (--no-graph) runs it op by op.
    /// </summary>
    public bool CaptureGraph { get; init; } = true;
}
