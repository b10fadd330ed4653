using GpuVae.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels.Operations;

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

    /// <summary>
    /// f(x) in float, for kernels: the one definition every kernel that applies an activation
    /// calls, so a fused kernel does exactly the float operations of the separate ones.
    /// </summary>
    public static float Forward(Activation activation, float x) => activation switch
    {
        Activation.Elu => x > 0 ? x : XMath.Exp(x) - 1,
        Activation.Tanh => XMath.Tanh(x),
        Activation.Sigmoid => Sigmoid(x),
        _ => Softplus(x),
    };

    /// <summary>
    /// f'(x) in float, for kernels. ELU, tanh and sigmoid take it from y = f(x) (e^x = y + 1,
    /// 1 - y^2, y (1 - y)) and save a transcendental; softplus' is sigmoid(x). Reads only the
    /// views it needs, so a kernel loads what the activation uses.
    /// </summary>
    public static float Derivative(Activation activation, FloatView x, FloatView y, int i)
    {
        if (activation == Activation.Softplus)
        {
            return Sigmoid(x[i]);
        }

        float value = y[i];
        return activation switch
        {
            Activation.Elu => x[i] > 0 ? 1 : value + 1,
            Activation.Tanh => 1 - (value * value),
            _ => value * (1 - value),
        };
    }

    /// <summary>dx = dy * f'(x), grid-stride. dx may alias dy: each element reads dy before it writes dx.</summary>
    public static void BackwardKernel(Activation activation, FloatView dx, FloatView dy, FloatView x, FloatView y, int length)
    {
        int stride = Launch.Step;
        for (int i = Launch.Start; i < length; i += stride)
        {
            dx[i] = dy[i] * Derivative(activation, x, y, i);
        }
    }

    /// <summary>
    /// Loads the backward kernel on one accelerator once and launches it: the dropout-free
    /// backward pass (gradient checks, --keep-prob 1). Forward runs fused with the bias, and
    /// backward with dropout fused with the mask, in <see cref="Epilogues"/>.
    /// </summary>
    public sealed class Launcher
    {
        private readonly Accelerator accelerator;
        private readonly Action<KernelConfig, Activation, FloatView, FloatView, FloatView, FloatView, int> backward;

        public Launcher(Accelerator accelerator)
        {
            ArgumentNullException.ThrowIfNull(accelerator);
            this.accelerator = accelerator;
            backward = accelerator.LoadStreamKernel<Activation, FloatView, FloatView, FloatView, FloatView, int>(BackwardKernel);
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

        /// <summary>The kernels treat any unknown value as their last case, so launchers reject it.</summary>
        internal static void RequireDefined(Activation activation)
        {
            if (!Enum.IsDefined(activation))
            {
                throw new ArgumentOutOfRangeException(nameof(activation));
            }
        }
    }
}
