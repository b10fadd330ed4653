using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels.Operations;

/// <summary>
/// Fusing changes no bit: on each backend, the fused dropout epilogues give exactly what the
/// unfused kernels give with the dropout mask applied between them (the kernel table checks
/// each against its reference, only within a tolerance).
/// </summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class EpilogueTests
{
    private const float Keep = 0.8f;

    // 1, odd, non-square, the step's hidden layer and the decoder's output row length.
    private static readonly (int Rows, int Cols)[] Shapes = [(1, 1), (7, 33), (33, 7), (128, 500), (3, 784)];

    [Theory]
    [MemberData(nameof(Accelerators.KindsTimesActivations), MemberType = typeof(Accelerators))]
    public void FusedKernelsEqualSeparateKernels(string kind, Activation activation)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        foreach (var (rows, cols) in Shapes)
        {
            int length = rows * cols;
            ulong seed = inputs.NextSeed();
            float[] x = inputs.Uniform(length, -5, 5);
            float[] bias = inputs.Uniform(cols);
            float[] dy = inputs.Uniform(length);
            string what = $"{kind} {activation} ({rows}, {cols}) (seed {inputs.Seed})";
            using var b = DeviceData.Upload(backend, bias, 1, cols);
            using var step = DeviceData.UploadStream(backend, 7, out var stream);

            // Forward: bias and activation alone, then with dropout fused after them.
            using var pre = DeviceData.Upload(backend, x, rows, cols);
            using var post = DeviceData.Poisoned(backend, rows, cols);
            backend.BiasActivationForward(activation, post, pre, b);
            using var fusedPre = DeviceData.Upload(backend, x, rows, cols);
            using var fusedPost = DeviceData.Poisoned(backend, rows, cols);
            using var dropped = DeviceData.Poisoned(backend, rows, cols);
            backend.BiasActivationDropoutForward(activation, dropped, fusedPost, fusedPre, b, Keep, seed, stream);
            float[] y = DeviceData.Download(backend, post);
            Compare.Identical(DeviceData.Download(backend, pre), DeviceData.Download(backend, fusedPre), $"{what} pre-activation");
            Compare.Identical(y, DeviceData.Download(backend, fusedPost), $"{what} activation");
            Compare.Identical(Masked(y, seed, length), DeviceData.Download(backend, dropped), $"{what} dropped");

            // Backward: the mask applied to dy, then the activation's backward, against both fused.
            using var kept = DeviceData.Upload(backend, Masked(dy, seed, length), rows, cols);
            using var dx = DeviceData.Poisoned(backend, rows, cols);
            backend.ActivationBackward(activation, dx, kept, pre, post);
            using var gradient = DeviceData.Upload(backend, dy, rows, cols);
            backend.DropoutActivationBackward(activation, gradient, gradient, pre, post, Keep, seed, stream);
            Compare.Identical(DeviceData.Download(backend, dx), DeviceData.Download(backend, gradient), $"{what} dropout backward");

            // At keep 1 the fused backward is the separate one: the mask keeps all, dividing by 1 is exact.
            using var all = DeviceData.Upload(backend, dy, rows, cols);
            backend.DropoutActivationBackward(activation, all, all, pre, post, 1, seed, stream);
            using var unmasked = DeviceData.Upload(backend, dy, rows, cols);
            backend.ActivationBackward(activation, unmasked, unmasked, pre, post);
            Compare.Identical(DeviceData.Download(backend, unmasked), DeviceData.Download(backend, all), $"{what} backward at keep 1");
        }
    }

    /// <summary>values / keep where the dropout mask of (seed, stream 7) keeps an element, else 0: the mask as its reference draws it.</summary>
    private static float[] Masked(float[] values, ulong seed, int length) =>
        [.. Enumerable.Range(0, length).Select(i => Dropout.Keeps(Keep, seed, 7, i) ? values[i] / Keep : 0)];
}
