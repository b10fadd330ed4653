namespace GpuVae.Model.Training;

/// <summary>Training stopped between two steps on request; the position says where, for a checkpoint.</summary>
public sealed class TrainingInterruptedException(EpochPosition position)
    : OperationCanceledException($"training interrupted in epoch {position.Epoch} after step {position.StepsDone}")
{
    public EpochPosition Position { get; } = position;
}
