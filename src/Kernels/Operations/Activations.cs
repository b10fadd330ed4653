using GpuVae.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels.Operations;

/// <summary>
/// ELU (alpha = 1), tanh, sigmoid, softplus, ReLU and GELU (tanh approximation), forward and
/// backward. The references work in double: the oracle for the float kernels. Every switch
/// names every <see cref="Activation"/>; an unhandled one throws on the host and gives NaN in a
/// kernel (which cannot throw), so a new value nobody handled fails the kernel table.
/// </summary>
public static class Activations
{
    /// <summary>sqrt(2 / pi), GELU's tanh-approximation scale.</summary>
    private const double GeluScale = 0.7978845608028654;

    /// <summary>The cubic term's coefficient of GELU's tanh approximation.</summary>
    private const double GeluCubic = 0.044715;

    /// <summary>2 sqrt(2 / pi): v = x (GeluLinear + GeluCubicTerm x^2) is twice tanh's argument.</summary>
    public const float GeluLinear = 1.5957691216057308f;

    /// <summary>2 sqrt(2 / pi) 0.044715.</summary>
    public const float GeluCubicTerm = 0.07135481627260025f;

    public static double ForwardReference(Activation activation, double x) => activation switch
    {
        Activation.Elu => x > 0 ? x : Math.Exp(x) - 1,
        Activation.Tanh => Math.Tanh(x),
        Activation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        // log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): no overflow for large x, no 1 + tiny for small.
        Activation.Softplus => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x))),
        Activation.Relu => x > 0 ? x : 0,
        // The textbook form; the kernels use the equal x sigmoid(2u), which does not cancel for x < 0.
        Activation.Gelu => 0.5 * x * (1 + Math.Tanh(GeluScale * (x + (GeluCubic * x * x * x)))),
        _ => throw Unhandled(activation),
    };

    public static double DerivativeReference(Activation activation, double x) => activation switch
    {
        Activation.Elu => x > 0 ? 1 : Math.Exp(x),
        Activation.Tanh => 1 - (Math.Tanh(x) * Math.Tanh(x)),
        Activation.Sigmoid => ForwardReference(Activation.Sigmoid, x) * (1 - ForwardReference(Activation.Sigmoid, x)),
        Activation.Softplus => ForwardReference(Activation.Sigmoid, x),
        Activation.Relu => x > 0 ? 1 : 0,
        Activation.Gelu => GeluDerivativeReference(x),
        _ => throw Unhandled(activation),
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

    /// <summary>The host's answer to an activation no switch case handles.</summary>
    public static ArgumentOutOfRangeException Unhandled(Activation activation) =>
        new(nameof(activation), activation, $"no case handles the activation {activation}");

    /// <summary>Float sigmoid for kernels; exp(-x) overflowing to infinity still gives 0.</summary>
    public static float Sigmoid(float x) => 1 / (1 + XMath.Exp(-x));

    /// <summary>Float softplus for kernels, in the reference's overflow-free form.</summary>
    public static float Softplus(float x) => XMath.Max(x, 0) + XMath.Log(1 + XMath.Exp(-XMath.Abs(x)));

    /// <summary>
    /// 2 sqrt(2 / pi) (x + 0.044715 x^3), the argument v of GELU = x sigmoid(v): 0.5 (1 + tanh(u))
    /// is sigmoid(2u), which for x &lt; 0 does not subtract two numbers near 1 as 1 + tanh does.
    /// </summary>
    public static float GeluArgument(float x) => x * (GeluLinear + (GeluCubicTerm * x * x));

    /// <summary>dv/dx = 2 sqrt(2 / pi) (1 + 3 * 0.044715 x^2).</summary>
    public static float GeluArgumentSlope(float x) => GeluLinear + (3 * GeluCubicTerm * x * x);

    /// <summary>
    /// GELU's derivative from its input: d/dx [x s(v)] = s + x s (1 - s) v' with s = sigmoid(v).
    /// Unlike the other activations it cannot come from y = f(x), which is not one-to-one below
    /// x = -0.75, so the backward kernels read x for it.
    /// </summary>
    public static float GeluDerivative(float x)
    {
        float s = Sigmoid(GeluArgument(x));
        return s + (x * s * (1 - s) * GeluArgumentSlope(x));
    }

    /// <summary>
    /// f(x) in float, for kernels: the one definition every kernel that applies an activation
    /// calls, so a fused kernel does exactly the float operations of the separate ones.
    /// </summary>
    public static float Forward(Activation activation, float x) => activation switch
    {
        Activation.Elu => x > 0 ? x : XMath.Exp(x) - 1,
        Activation.Tanh => XMath.Tanh(x),
        Activation.Sigmoid => Sigmoid(x),
        Activation.Softplus => Softplus(x),
        Activation.Relu => x > 0 ? x : 0,
        Activation.Gelu => x * Sigmoid(GeluArgument(x)),
        _ => float.NaN,
    };

    /// <summary>
    /// f'(x) in float, for kernels. ELU, tanh and sigmoid take it from y = f(x) (e^x = y + 1,
    /// 1 - y^2, y (1 - y)) and save a transcendental; softplus' is sigmoid(x), ReLU's a test of
    /// x and GELU's needs x (<see cref="GeluDerivative"/>). Reads only the views it needs, so a
    /// kernel loads what the activation uses.
    /// </summary>
    public static float Derivative(Activation activation, FloatView x, FloatView y, int i) => activation switch
    {
        Activation.Elu => x[i] > 0 ? 1 : y[i] + 1,
        Activation.Tanh => OneMinusSquare(y[i]),
        Activation.Sigmoid => TimesComplement(y[i]),
        Activation.Softplus => Sigmoid(x[i]),
        Activation.Relu => x[i] > 0 ? 1 : 0,
        Activation.Gelu => GeluDerivative(x[i]),
        _ => float.NaN,
    };

    private static float OneMinusSquare(float y) => 1 - (y * y);

    private static float TimesComplement(float y) => y * (1 - y);

    private static double GeluDerivativeReference(double x)
    {
        double t = Math.Tanh(GeluScale * (x + (GeluCubic * x * x * x)));
        return (0.5 * (1 + t)) + (0.5 * x * (1 - (t * t)) * GeluScale * (1 + (3 * GeluCubic * x * x)));
    }

    /// <summary>dx = dy * f'(x), grid-stride. dx may alias dy: each element reads dy before it writes dx.</summary>
    internal static void BackwardKernel(Activation activation, FloatView dx, FloatView dy, FloatView x, FloatView y, int length)
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
    internal sealed class Launcher
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
            Launch.Require(dx, length, nameof(dx));
            Launch.Require(dy, length, nameof(dy));
            Launch.Require(x, length, nameof(x));
            Launch.Require(y, length, nameof(y));
            backward(Launch.GridStride(accelerator, length), activation, dx, dy, x, y, length);
        }
    }
}
