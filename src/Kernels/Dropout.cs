using GpuVae.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels;

/// <summary>
/// Inverted dropout (scale by 1 / keep at training time, identity at test time). The mask
/// of element i is a pure function of (seed, stream, i), so backward recomputes it instead
/// of storing it, and every accelerator draws the same mask.
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

    /// <summary>y = x * mask / keep with the reference's mask: the same Philox counter per element.</summary>
    public static void ForwardKernel(FloatView y, FloatView x, float keepProbability, ulong seed, ulong stream, int length)
    {
        int stride = Launch.Step;
        for (int i = Launch.Start; i < length; i += stride)
        {
            y[i] = Keeps(keepProbability, seed, stream, i) ? x[i] / keepProbability : 0;
        }
    }

    /// <summary>Loads the dropout kernel on one accelerator once and launches it forward and backward.</summary>
    public sealed class Launcher
    {
        private readonly Accelerator accelerator;
        private readonly Action<KernelConfig, FloatView, FloatView, float, ulong, ulong, int> forward;

        public Launcher(Accelerator accelerator)
        {
            ArgumentNullException.ThrowIfNull(accelerator);
            this.accelerator = accelerator;
            forward = accelerator.LoadStreamKernel<FloatView, FloatView, float, ulong, ulong, int>(ForwardKernel);
        }

        public void Forward(FloatView y, FloatView x, float keepProbability, ulong seed, ulong stream, int length)
        {
            if (!(keepProbability > 0 && keepProbability <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(keepProbability), keepProbability, "keep probability must be in (0, 1]");
            }

            Launch.Require(y, length, nameof(y));
            Launch.Require(x, length, nameof(x));
            forward(Launch.GridStride(accelerator, length), y, x, keepProbability, seed, stream, length);
        }

        /// <summary>The mask is recomputed from (seed, stream, i), so backward is the forward kernel on dy.</summary>
        public void Backward(FloatView dx, FloatView dy, float keepProbability, ulong seed, ulong stream, int length) =>
            Forward(dx, dy, keepProbability, seed, stream, length);
    }
}
