namespace GpuVae.Model;

/// <summary>Where a run stands after a whole epoch: all a resumed run needs besides weights and moments.</summary>
public sealed record TrainingState(int CompletedEpochs, long GlobalStep, int Seed, int BatchSize);
