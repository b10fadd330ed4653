using GpuVae.Kernels;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels;

[Collection(nameof(AcceleratorCollection))]
public sealed class ActivationTests
{
    // float32 transcendental functions against the double references: a few ulp relative
    // (1e-5 is ~80 ulp), and 1e-6 absolute where exp(x) - 1 and 1 - y^2 cancel near zero.
    private static readonly Tolerance Transcendental = new(1e-6, 1e-5);

    public static TheoryData<string, Activation> Cases()
    {
        var data = new TheoryData<string, Activation>();
        foreach (string kind in Accelerators.Names)
        {
            foreach (var activation in Enum.GetValues<Activation>())
            {
                data.Add(kind, activation);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackwardMatchReference(string kind, Activation activation)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        foreach (var (rows, cols) in new[] { (1, 1), (7, 33), (128, 500) })
        {
            // Inputs in [-1, 1] plus large magnitudes, where a naive softplus or sigmoid overflows.
            float[] x = inputs.Uniform(rows * cols);
            float[] extremes = [-100, -30, 30, 100];
            extremes.AsSpan(0, Math.Min(extremes.Length, x.Length)).CopyTo(x);
            float[] dy = inputs.Uniform(rows * cols);
            float[] y = new float[x.Length];
            Activations.ForwardReference(activation, y, x, x.Length);
            float[] dx = new float[x.Length];
            Activations.BackwardReference(activation, dx, dy, x, y, x.Length);

            using var input = DeviceData.Upload(backend, x, rows, cols);
            using var output = DeviceData.Poisoned(backend, rows, cols);
            backend.ActivationForward(activation, output, input);
            Compare.AllClose(y, DeviceData.Download(backend, output), Transcendental, $"{kind} {activation} forward ({rows}, {cols})");

            // dx aliases dy, as the model uses it; y is the reference's f(x).
            using var gradient = DeviceData.Upload(backend, dy, rows, cols);
            using var forward = DeviceData.Upload(backend, y, rows, cols);
            backend.ActivationBackward(activation, gradient, gradient, input, forward);
            Compare.AllClose(dx, DeviceData.Download(backend, gradient), Transcendental, $"{kind} {activation} backward ({rows}, {cols})");
        }
    }
}
