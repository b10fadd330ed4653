using GpuVae.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels;

/// <summary>
/// ELU (alpha = 1), tanh, sigmoid and softplus, forward and backward. The references work
/// in double: the oracle for the float kernels.
/// </summary>
public static class Activations
{
    public static double ForwardReference(Activation activation, double x) => activation switch
    {
        Activation.Elu => x > 0 ? x : Math.Exp(x) - 1,
        Activation.Tanh => Math.Tanh(x),
        Activation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        // log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): no overflow for large x, no 1 + tiny for small.
        Activation.Softplus => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x))),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    public static double DerivativeReference(Activation activation, double x) => activation switch
    {
        Activation.Elu => x > 0 ? 1 : Math.Exp(x),
        Activation.Tanh => 1 - (Math.Tanh(x) * Math.Tanh(x)),
        Activation.Sigmoid => ForwardReference(Activation.Sigmoid, x) * (1 - ForwardReference(Activation.Sigmoid, x)),
        Activation.Softplus => ForwardReference(Activation.Sigmoid, x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>y = f(x) elementwise.</summary>
    public static void ForwardReference(Activation activation, Span<float> y, ReadOnlySpan<float> x, int length)
    {
        for (int i = 0; i < length; i++)
        {
            y[i] = (float)ForwardReference(activation, x[i]);
        }
    }

    /// <summary>dx = dy * f'(x); y = f(x) is accepted for the kernels' benefit and not needed here.</summary>
    public static void BackwardReference(
        Activation activation, Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int length)
    {
        _ = y;
        for (int i = 0; i < length; i++)
        {
            dx[i] = (float)(dy[i] * DerivativeReference(activation, x[i]));
        }
    }

    /// <summary>Float sigmoid for kernels; exp(-x) overflowing to infinity still gives 0.</summary>
    public static float Sigmoid(float x) => 1 / (1 + XMath.Exp(-x));

    /// <summary>Float softplus for kernels, in the reference's overflow-free form.</summary>
    public static float Softplus(float x) => XMath.Max(x, 0) + XMath.Log(1 + XMath.Exp(-XMath.Abs(x)));

    /// <summary>y = f(x), grid-stride.</summary>
    public static void ForwardKernel(Activation activation, FloatView y, FloatView x, int length)
    {
        int stride = Launch.Step;
        for (int i = Launch.Start; i < length; i += stride)
        {
            float value = x[i];
            y[i] = activation switch
            {
                Activation.Elu => value > 0 ? value : XMath.Exp(value) - 1,
                Activation.Tanh => XMath.Tanh(value),
                Activation.Sigmoid => Sigmoid(value),
                _ => Softplus(value),
            };
        }
    }

    /// <summary>
    /// dx = dy * f'(x). ELU, tanh and sigmoid take f' from y = f(x) (e^x = y + 1, 1 - y^2,
    /// y (1 - y)) and save a transcendental; softplus' is sigmoid(x). dx may alias dy: each
    /// element reads dy before it writes dx.
    /// </summary>
    public static void BackwardKernel(Activation activation, FloatView dx, FloatView dy, FloatView x, FloatView y, int length)
    {
        int stride = Launch.Step;
        for (int i = Launch.Start; i < length; i += stride)
        {
            float derivative;
            if (activation == Activation.Softplus)
            {
                derivative = Sigmoid(x[i]);
            }
            else
            {
                float value = y[i];
                derivative = activation switch
                {
                    Activation.Elu => x[i] > 0 ? 1 : value + 1,
                    Activation.Tanh => 1 - (value * value),
                    _ => value * (1 - value),
                };
            }

            dx[i] = dy[i] * derivative;
        }
    }

    /// <summary>Loads the activation kernels on one accelerator once and launches them.</summary>
    public sealed class Launcher
    {
        private readonly Accelerator accelerator;
        private readonly Action<KernelConfig, Activation, FloatView, FloatView, int> forward;
        private readonly Action<KernelConfig, Activation, FloatView, FloatView, FloatView, FloatView, int> backward;

        public Launcher(Accelerator accelerator)
        {
            ArgumentNullException.ThrowIfNull(accelerator);
            this.accelerator = accelerator;
            forward = accelerator.LoadStreamKernel<Activation, FloatView, FloatView, int>(ForwardKernel);
            backward = accelerator.LoadStreamKernel<Activation, FloatView, FloatView, FloatView, FloatView, int>(BackwardKernel);
        }

        public void Forward(Activation activation, FloatView y, FloatView x, int length)
        {
            RequireDefined(activation);
            Launch.Require(y, length, nameof(y));
            Launch.Require(x, length, nameof(x));
            forward(Launch.GridStride(accelerator, length), activation, y, x, length);
        }

        public void Backward(Activation activation, FloatView dx, FloatView dy, FloatView x, FloatView y, int length)
        {
            RequireDefined(activation);
            Launch.Require(dx, length, nameof(dx));
            Launch.Require(dy, length, nameof(dy));
            Launch.Require(x, length, nameof(x));
            Launch.Require(y, length, nameof(y));
            backward(Launch.GridStride(accelerator, length), activation, dx, dy, x, y, length);
        }

        // The kernels treat any unknown value as their last case, so reject it here.
        private static void RequireDefined(Activation activation)
        {
            if (!Enum.IsDefined(activation))
            {
                throw new ArgumentOutOfRangeException(nameof(activation));
            }
        }
    }
}
