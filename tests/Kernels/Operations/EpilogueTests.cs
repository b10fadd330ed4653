using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels.Operations;

/// <summary>
/// The fused epilogues' references against the unfused sequence of the separate families'
/// references (the kernels against the references are cases of KernelCases).
/// </summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class EpilogueTests
{
    private const float Keep = 0.8f;

    // 1, odd, non-square, the step's hidden layer and the decoder's output row length.
    private static readonly (int Rows, int Cols)[] Shapes = [(1, 1), (7, 33), (33, 7), (128, 500), (3, 784)];

    public static TheoryData<Activation> EveryActivation() => new(Enum.GetValues<Activation>());

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
