using GpuVae.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;
using IntView = ILGPU.Runtime.ArrayView1D<int, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels.Operations;

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

    /// <summary>
    /// The fused update in float, its scalars read from the step's values on the device, where
    /// the host computed the bias corrections in double (<see cref="StepValues.SetAdam"/>).
    /// </summary>
    internal static void UpdateKernel(FloatView parameters, FloatView m, FloatView v, FloatView gradient, IntView step, int length)
    {
        float stepSize = StepValues.ReadAdamStepSize(step);
        float secondMomentCorrection = StepValues.ReadAdamSecondMomentCorrection(step);
        float beta1 = StepValues.ReadAdamBeta1(step);
        float beta2 = StepValues.ReadAdamBeta2(step);
        float epsilon = StepValues.ReadAdamEpsilon(step);
        int stride = Launch.Step;
        for (int i = Launch.Start; i < length; i += stride)
        {
            float g = gradient[i];
            float firstMoment = (beta1 * m[i]) + ((1 - beta1) * g);
            float secondMoment = (beta2 * v[i]) + ((1 - beta2) * g * g);
            m[i] = firstMoment;
            v[i] = secondMoment;
            parameters[i] -= stepSize * firstMoment / ((XMath.Sqrt(secondMoment) / secondMomentCorrection) + epsilon);
        }
    }

    /// <summary>Loads the Adam kernel on one accelerator once and launches it.</summary>
    internal sealed class Launcher
    {
        private readonly Accelerator accelerator;
        private readonly Action<KernelConfig, FloatView, FloatView, FloatView, FloatView, IntView, int> update;

        public Launcher(Accelerator accelerator)
        {
            ArgumentNullException.ThrowIfNull(accelerator);
            this.accelerator = accelerator;
            update = accelerator.LoadStreamKernel<FloatView, FloatView, FloatView, FloatView, IntView, int>(UpdateKernel);
        }

        public void Update(FloatView parameters, FloatView m, FloatView v, FloatView gradient, IntView step, int length)
        {
            Launch.Require(parameters, length, nameof(parameters));
            Launch.Require(m, length, nameof(m));
            Launch.Require(v, length, nameof(v));
            Launch.Require(gradient, length, nameof(gradient));
            update(Launch.GridStride(accelerator, length), parameters, m, v, gradient, step, length);
        }
    }
}
