using GpuVae.Kernels.Operations;

namespace GpuVae.Kernels;

/// <summary>
/// The scalars of one Adam update (PyTorch's form: the bias corrections scale the step and
/// the second moment, epsilon is added after the square root).
/// </summary>
public readonly record struct AdamStep(float LearningRate, float Beta1, float Beta2, float Epsilon, long StepNumber)
{
    public static AdamStep Default(float learningRate, long stepNumber) => new(learningRate, 0.9f, 0.999f, 1e-8f, stepNumber);

    /// <summary>lr / (1 - beta1^t), computed in double so that late steps do not lose the correction.</summary>
    public float StepSize => (float)(LearningRate / (1 - Math.Pow(Beta1, StepNumber)));

    /// <summary>sqrt(1 - beta2^t): the second moment is divided by this after its square root.</summary>
    public float SecondMomentCorrection => (float)Math.Sqrt(1 - Math.Pow(Beta2, StepNumber));
}
