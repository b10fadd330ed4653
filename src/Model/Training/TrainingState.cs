namespace GpuVae.Model.Training;

/// <summary>
/// Where a run stands: all a resumed run needs besides weights and moments. After a whole
/// epoch Partial is null; after an interruption it holds the unfinished epoch's position.
/// </summary>
public sealed record TrainingState(int CompletedEpochs, long GlobalStep, int Seed, int BatchSize, EpochPosition? Partial = null)
{
    /// <summary>The objective trained; checkpoints written before it was recorded read as the ELBO with beta 1.</summary>
    public TrainingObjective Objective { get; init; } = TrainingObjective.Elbo;

    /// <summary>Training images held out for validation (--validation); null in checkpoints written before it was recorded.</summary>
    public int? Validation { get; init; }

    /// <summary>The learning-rate schedule trained with; null in checkpoints written before it was recorded.</summary>
    public LearningRateSchedule? LearningRates { get; init; }
}
