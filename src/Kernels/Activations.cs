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
}
