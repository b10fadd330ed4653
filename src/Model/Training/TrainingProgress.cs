namespace GpuVae.Model.Training;

/// <summary>A report after each training step: where the epoch stands, its running mean loss and the epoch's learning rate.</summary>
public readonly record struct TrainingProgress(int Epoch, int Step, int StepsPerEpoch, double RunningLoss, double RunningBce, double RunningKld, TimeSpan Elapsed, int ImagesSeen, float LearningRate);
