namespace GpuVae.Model.Training;

/// <summary>Training produced a NaN or infinite loss; the run stops before any state is saved.</summary>
public sealed class NonFiniteLossException(int epoch, int step, double loss)
    : Exception($"the training loss became {loss} at epoch {epoch}, step {step}; the last checkpoint is left as it was")
{
    public int Epoch { get; } = epoch;

    public int Step { get; } = step;
}
