using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels.Operations;

/// <summary>
/// Every activation's backward as the backends compute it (the host's SIMD path, the ILGPU
/// kernels) against central finite differences of its float64 forward: the derivative math
/// itself, which the kernel table only compares with the derivative's own reference.
/// </summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class ActivationGradientTests
{
    /// <summary>
    /// The difference step: f's third derivative is at most a few units for all six, so the
    /// central difference's truncation h^2 f''' / 6 is about 1e-10, and double rounding
    /// 1e-16 |f| / h about 1e-10 too. Smaller than the near-zero points, so no difference
    /// straddles ReLU's kink.
    /// </summary>
    private const double Step = 1e-5;

    /// <summary>
    /// The float derivative: a few ulp of each term, and for ELU, tanh and sigmoid the rounding
    /// of y = f(x) (6e-8 absolute near |y| = 1) that f' is computed from; 1e-6 absolute is ten
    /// times that, and 1e-5 relative covers GELU's products of up to five rounded factors.
    /// </summary>
    private static readonly Tolerance GradientTolerance = new(1e-6, 1e-5);

    [Theory]
    [MemberData(nameof(Accelerators.KindsTimesActivations), MemberType = typeof(Accelerators))]
    public void BackwardMatchesFiniteDifferencesOfForward(string kind, Activation activation)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        float[] x = Points(inputs);
        int length = x.Length;
        float[] dy = inputs.Uniform(length);
        using var pre = DeviceData.Upload(backend, x, 1, length);
        using var zeroBias = backend.Allocate(1, length);
        using var post = DeviceData.Poisoned(backend, 1, length);
        backend.BiasActivationForward(activation, post, pre, zeroBias);
        using var gradient = DeviceData.Upload(backend, dy, 1, length);
        using var dx = DeviceData.Poisoned(backend, 1, length);
        backend.ActivationBackward(activation, dx, gradient, pre, post);
        float[] actual = DeviceData.Download(backend, dx);

        float[] expected = new float[length];
        for (int i = 0; i < length; i++)
        {
            double slope = activation == Activation.Relu && x[i] == 0
                // ReLU has no derivative at 0; the kernels use the subgradient 0 there, as PyTorch does.
                ? 0
                : (Activations.ForwardReference(activation, x[i] + Step) - Activations.ForwardReference(activation, x[i] - Step)) / (2 * Step);
            expected[i] = (float)(dy[i] * slope);
        }

        Compare.AllClose(expected, actual, GradientTolerance, $"{kind} {activation} backward (seed {inputs.Seed})");
    }

    /// <summary>
    /// 301 points (odd, so the SIMD paths' scalar tail runs): uniform in [-6, 6], where tanh,
    /// sigmoid and GELU flatten and ELU nears -1; 50 within 1e-4 to 1e-2 of 0 on either side,
    /// around ReLU's kink and ELU's join; and 0 itself.
    /// </summary>
    private static float[] Points(RandomInputs inputs)
    {
        float[] wide = inputs.Uniform(250, -6, 6);
        float[] nearZero = [.. inputs.Uniform(50, -2, 2).Select(value => MathF.CopySign(MathF.Pow(10, -2 - Math.Abs(value)), value))];
        return [.. wide, .. nearZero, 0];
    }
}
