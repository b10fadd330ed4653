using GpuVae.Kernels;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels;

/// <summary>
/// The fused epilogues (bias + activation [+ dropout] forward, dropout + activation backward)
/// on every accelerator, every activation, with and without dropout, against their references;
/// and the references against the unfused sequence of the separate families' references.
/// </summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class EpilogueTests
{
    private const float Keep = 0.8f;

    // float32 transcendental functions against the double references: a few ulp relative
    // (1e-5 is ~80 ulp), and 1e-6 absolute where exp(x) - 1 and 1 - y^2 cancel near zero.
    private static readonly Tolerance Transcendental = new(1e-6, 1e-5);

    // 1, odd, non-square, the step's hidden layer and the decoder's output row length.
    private static readonly (int Rows, int Cols)[] Shapes = [(1, 1), (7, 33), (33, 7), (128, 500), (3, 784)];

    public static TheoryData<string, Activation, bool> Cases()
    {
        var data = new TheoryData<string, Activation, bool>();
        foreach (string kind in Accelerators.Names)
        {
            foreach (var activation in Enum.GetValues<Activation>())
            {
                data.Add(kind, activation, false);
                data.Add(kind, activation, true);
            }
        }

        return data;
    }

    public static TheoryData<string, Activation> BackwardCases()
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

    public static TheoryData<Activation> EveryActivation() => new(Enum.GetValues<Activation>());

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesReference(string kind, Activation activation, bool dropout)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        ulong seed = inputs.NextSeed();
        foreach (var (rows, cols) in Shapes)
        {
            int length = rows * cols;
            float[] x = WithExtremes(inputs.Uniform(length));
            float[] bias = inputs.Uniform(cols);
            float[] pre = (float[])x.Clone();
            float[] y = new float[length];
            float[] dropped = new float[length];
            if (dropout)
            {
                Epilogues.DropoutForwardReference(activation, dropped, y, pre, bias, Keep, seed, 5, rows, cols);
            }
            else
            {
                Epilogues.ForwardReference(activation, y, pre, bias, rows, cols);
            }

            using var input = DeviceData.Upload(backend, x, rows, cols);
            using var biasInput = DeviceData.Upload(backend, bias, 1, cols);
            using var post = DeviceData.Poisoned(backend, rows, cols);
            using var output = DeviceData.Poisoned(backend, rows, cols);
            if (dropout)
            {
                backend.BiasActivationDropoutForward(activation, output, post, input, biasInput, Keep, seed, 5);
            }
            else
            {
                backend.BiasActivationForward(activation, post, input, biasInput);
            }

            string what = $"{kind} bias {activation}{(dropout ? " dropout" : string.Empty)} forward ({rows}, {cols})";

            // One float addition per element, the reference's own: the pre-activation is exact.
            Compare.Identical(pre, DeviceData.Download(backend, input), $"{what}: pre-activation");
            float[] actualPost = DeviceData.Download(backend, post);
            Compare.AllClose(y, actualPost, Transcendental, $"{what}: activation");
            if (dropout)
            {
                // The mask and the division by keep are exact, so the dropped units are the
                // backend's own activations with the reference's mask, to the bit.
                float[] expected = new float[length];
                Dropout.ForwardReference(expected, actualPost, Keep, seed, 5, length);
                Compare.Identical(expected, DeviceData.Download(backend, output), $"{what}: dropped");
            }
        }
    }

    /// <summary>With dropout only: without it a hidden layer runs the plain activation backward of <see cref="ActivationTests"/>.</summary>
    [Theory]
    [MemberData(nameof(BackwardCases))]
    public void DropoutBackwardMatchesReference(string kind, Activation activation)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        ulong seed = inputs.NextSeed();
        foreach (var (rows, cols) in Shapes)
        {
            int length = rows * cols;
            float[] x = WithExtremes(inputs.Uniform(length));
            float[] dy = inputs.Uniform(length);
            float[] y = new float[length];
            Activations.ForwardReference(activation, y, x, length);
            float[] dx = new float[length];
            Epilogues.DropoutBackwardReference(activation, dx, dy, x, y, Keep, seed, 5, length);

            // y is the reference's f(x), so only the backward kernel's error shows.
            using var input = DeviceData.Upload(backend, x, rows, cols);
            using var forward = DeviceData.Upload(backend, y, rows, cols);
            using var gradient = DeviceData.Upload(backend, dy, rows, cols);
            using var output = DeviceData.Poisoned(backend, rows, cols);
            backend.DropoutActivationBackward(activation, output, gradient, input, forward, Keep, seed, 5);
            float[] actual = DeviceData.Download(backend, output);
            string what = $"{kind} dropout {activation} backward ({rows}, {cols})";
            Compare.AllClose(dx, actual, Transcendental, what);

            // In place, as the model runs it: dx aliases dy.
            backend.DropoutActivationBackward(activation, gradient, gradient, input, forward, Keep, seed, 5);
            Compare.Identical(actual, DeviceData.Download(backend, gradient), $"{what} in place");
        }
    }

    /// <summary>
    /// The fused references do, element by element, what the separate families' references did
    /// one pass after another (bias add, activation, dropout; dropout, activation backward), so
    /// the fused kernels, which follow them operation by operation, change no result.
    /// </summary>
    [Theory]
    [MemberData(nameof(EveryActivation))]
    public void FusedReferencesEqualUnfusedSequence(Activation activation)
    {
        var inputs = new RandomInputs();
        ulong seed = inputs.NextSeed();
        foreach (var (rows, cols) in Shapes)
        {
            int length = rows * cols;
            float[] x = WithExtremes(inputs.Uniform(length));
            float[] bias = inputs.Uniform(cols);
            float[] dy = inputs.Uniform(length);

            float[] pre = (float[])x.Clone();
            Bias.AddReference(pre, bias, rows, cols);
            float[] post = new float[length];
            Activations.ForwardReference(activation, post, pre, length);
            float[] dropped = new float[length];
            Dropout.ForwardReference(dropped, post, Keep, seed, 5, length);
            float[] kept = new float[length];
            Dropout.BackwardReference(kept, dy, Keep, seed, 5, length);
            float[] dx = new float[length];
            Activations.BackwardReference(activation, dx, kept, pre, post, length);

            string what = $"{activation} ({rows}, {cols})";
            float[] fusedPre = (float[])x.Clone();
            float[] fusedPost = new float[length];
            Epilogues.ForwardReference(activation, fusedPost, fusedPre, bias, rows, cols);
            Compare.Identical(pre, fusedPre, $"{what} forward pre-activation");
            Compare.Identical(post, fusedPost, $"{what} forward activation");

            fusedPre = (float[])x.Clone();
            float[] fusedDropped = new float[length];
            Epilogues.DropoutForwardReference(activation, fusedDropped, fusedPost, fusedPre, bias, Keep, seed, 5, rows, cols);
            Compare.Identical(pre, fusedPre, $"{what} dropout forward pre-activation");
            Compare.Identical(post, fusedPost, $"{what} dropout forward activation");
            Compare.Identical(dropped, fusedDropped, $"{what} dropout forward dropped");

            float[] fusedDx = new float[length];
            Epilogues.DropoutBackwardReference(activation, fusedDx, dy, pre, post, Keep, seed, 5, length);
            Compare.Identical(dx, fusedDx, $"{what} dropout backward");
        }
    }

    /// <summary>Large magnitudes, where a naive softplus or sigmoid overflows, at the start.</summary>
    private static float[] WithExtremes(float[] x)
    {
        float[] extremes = [-100, -30, 30, 100];
        extremes.AsSpan(0, Math.Min(extremes.Length, x.Length)).CopyTo(x);
        return x;
    }
}
