namespace GpuVae.Model.Training;

/// <summary>One stage of a <see cref="LearningRateSchedule"/>: Passes passes over the training set at Rate.</summary>
public readonly record struct LearningRateStage(int Passes, float Rate);
