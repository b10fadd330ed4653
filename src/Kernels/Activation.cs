namespace GpuVae.Kernels;

/// <summary>
/// The elementwise nonlinearities a dense layer can apply. Each is one value here and its math
/// in <see cref="Operations.Activations"/> and <see cref="Host.HostElementwise"/>; the kernel
/// table runs every value.
/// </summary>
public enum Activation
{
    Elu = 0,
    Tanh = 1,
    Sigmoid = 2,
    Softplus = 3,

    /// <summary>max(x, 0); its backward uses the subgradient 0 at x = 0, as PyTorch does.</summary>
    Relu = 4,

    /// <summary>
    /// GELU in the tanh approximation of Hendrycks and Gimpel, as llm.c and PyTorch's
    /// approximate='tanh': 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))). The exact form
    /// needs erf, which neither .NET's Math nor ILGPU's XMath has.
    /// </summary>
    Gelu = 5,
}
