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

    /// <summary>
    /// The dropout-free backward pass. Forward, and backward with dropout, run fused in
    /// <see cref="Epilogues"/> and are tested in <see cref="EpilogueTests"/>.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesReference(string kind, Activation activation)
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

            // y is the reference's f(x), so only the backward kernel's error shows.
            using var input = DeviceData.Upload(backend, x, rows, cols);
            using var forward = DeviceData.Upload(backend, y, rows, cols);
            using var gradient = DeviceData.Upload(backend, dy, rows, cols);
            using var output = DeviceData.Poisoned(backend, rows, cols);
            backend.ActivationBackward(activation, output, gradient, input, forward);
            float[] actual = DeviceData.Download(backend, output);
            Compare.AllClose(dx, actual, Transcendental, $"{kind} {activation} backward ({rows}, {cols})");

            // In place, as the model runs it: dx aliases dy.
            backend.ActivationBackward(activation, gradient, gradient, input, forward);
            Compare.Identical(actual, DeviceData.Download(backend, gradient), $"{kind} {activation} backward in place ({rows}, {cols})");
        }
    }
}
