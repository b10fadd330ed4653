namespace GpuVae.Kernels;

/// <summary>
/// The fused Adam update (Kingma and Ba, 2015) in PyTorch's form, the optimizer our
/// reference numbers were trained with.
/// </summary>
public static class Adam
{
    /// <summary>
    /// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
    /// p -= stepSize * m / (sqrt(v) / secondMomentCorrection + eps).
    /// </summary>
    public static void UpdateReference(Span<float> parameters, Span<float> m, Span<float> v, ReadOnlySpan<float> gradient, AdamStep step, int length)
    {
        double stepSize = step.LearningRate / (1 - Math.Pow(step.Beta1, step.StepNumber));
        double correction = Math.Sqrt(1 - Math.Pow(step.Beta2, step.StepNumber));
        for (int i = 0; i < length; i++)
        {
            double g = gradient[i];
            double firstMoment = (step.Beta1 * (double)m[i]) + ((1 - step.Beta1) * g);
            double secondMoment = (step.Beta2 * (double)v[i]) + ((1 - step.Beta2) * g * g);
            m[i] = (float)firstMoment;
            v[i] = (float)secondMoment;
            parameters[i] = (float)(parameters[i] - (stepSize * firstMoment / ((Math.Sqrt(secondMoment) / correction) + step.Epsilon)));
        }
    }
}
