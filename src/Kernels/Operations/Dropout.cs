namespace GpuVae.Kernels.Operations;

/// <summary>
/// Inverted dropout (scale by 1 / keep at training time, identity at test time). The mask
/// of element i is a pure function of (seed, stream, i), so backward recomputes it instead
/// of storing it, and every accelerator draws the same mask. The kernels that apply it run
/// fused with the activation, in <see cref="Epilogues"/>.
/// </summary>
public static class Dropout
{
    /// <summary>
    /// Element i takes word i % 4 of Philox block i / 4: one block serves four neighbours,
    /// a quarter of the hashing per mask.
    /// </summary>
    public static bool Keeps(float keepProbability, ulong seed, ulong stream, int element)
    {
        var block = Philox.Generate(seed, stream, (uint)element >> 2, RandomPurpose.Dropout);
        uint word = (element & 3) switch
        {
            0 => block.X,
            1 => block.Y,
            2 => block.Z,
            _ => block.W,
        };
        return Philox.UniformOpenAbove(word) < keepProbability;
    }

    /// <summary>y = x * mask / keep.</summary>
    public static void ForwardReference(Span<float> y, ReadOnlySpan<float> x, float keepProbability, ulong seed, ulong stream, int length)
    {
        for (int i = 0; i < length; i++)
        {
            y[i] = Keeps(keepProbability, seed, stream, i) ? x[i] / keepProbability : 0;
        }
    }

    /// <summary>dx = dy * mask / keep with the forward pass's mask.</summary>
    public static void BackwardReference(Span<float> dx, ReadOnlySpan<float> dy, float keepProbability, ulong seed, ulong stream, int length) =>
        ForwardReference(dx, dy, keepProbability, seed, stream, length);

    /// <summary>
    /// x * mask / keep for element i in float, for kernels: dividing by keep (not multiplying
    /// by 1 / keep) is what the reference and the host do, so all agree to the bit.
    /// </summary>
    public static float Apply(float x, float keepProbability, ulong seed, ulong stream, int element) =>
        Keeps(keepProbability, seed, stream, element) ? x / keepProbability : 0;

    /// <summary>Launchers reject a keep probability outside (0, 1]; 1 keeps every unit (y = x / 1 = x).</summary>
    internal static void RequireKeepProbability(float keepProbability)
    {
        if (!(keepProbability > 0 && keepProbability <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(keepProbability), keepProbability, "keep probability must be in (0, 1]");
        }
    }
}
