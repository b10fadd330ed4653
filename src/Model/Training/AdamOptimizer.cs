using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Network;

namespace GpuVae.Model.Training;

/// <summary>
/// Adam over every parameter of a model, counting its steps for the bias correction. The
/// learning rate can change between steps (a schedule's stages): it is staged with each step's
/// scalars, so a captured step picks up the new rate without being captured again.
/// </summary>
public sealed class AdamOptimizer
{
    private float learningRate;

    public AdamOptimizer(Backend backend, ModelParameters parameters, float learningRate)
    {
        Backend = backend;
        Parameters = parameters;
        LearningRate = learningRate;
    }

    /// <summary>The rate of the steps staged from now on.</summary>
    public float LearningRate
    {
        get => learningRate;
        set => learningRate = value > 0 && !float.IsInfinity(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "the learning rate must be a positive number");
    }

    /// <summary>Updates taken so far; restored from checkpoints to resume exactly.</summary>
    public long StepsTaken { get; set; }

    private Backend Backend { get; }

    private ModelParameters Parameters { get; }

    /// <summary>Stages the next update's scalars (update StepsTaken + 1) in the step's values.</summary>
    public void Stage(StepValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        values.SetAdam(AdamStep.Default(LearningRate, StepsTaken + 1));
    }

    /// <summary>Queues the update with the scalars staged in the values; the caller counts it once the device has run it.</summary>
    public void Enqueue(StepValues values) =>
        Backend.AdamUpdate(Parameters.Values, Parameters.FirstMoments, Parameters.SecondMoments, Parameters.Gradients, values);
}
