using GpuVae.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;
using IntView = ILGPU.Runtime.ArrayView1D<int, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels.Operations;

/// <summary>
/// A dense layer's elementwise epilogue in one pass: bias, activation and dropout forward,
/// dropout and activation backward. A training step on a GPU is launch-bound (each launch
/// costs about 7.7 us on an H100 whatever its size), and separately these were three
/// launches forward and two backward per hidden layer. Each kernel does per element exactly
/// the float operations of <see cref="Bias"/>, <see cref="Activations"/> and
/// <see cref="Dropout"/>, in their order, through the same functions, so fusing changes no
/// bit. No product feeds an addition across the old kernel boundaries (bias add -> f,
/// f -> divide by keep; divide by keep -> times f'), so a compiler contracting multiply-adds
/// inside the fused kernel cannot round differently from the separate ones either.
/// </summary>
internal static class Epilogues
{
    /// <summary>x (rows, cols) += bias (1, cols), then y = f(x): x keeps the pre-activation.</summary>
    public static void ForwardReference(Activation activation, Span<float> y, Span<float> x, ReadOnlySpan<float> bias, int rows, int cols)
    {
        for (int e = 0; e < rows * cols; e++)
        {
            x[e] += bias[e % cols];
            y[e] = (float)Activations.ForwardReference(activation, x[e]);
        }
    }

    /// <summary>
    /// x (rows, cols) += bias (1, cols), y = f(x), dropped = y * mask / keep: the hidden
    /// layer's forward pass, keeping x and y for backward.
    /// </summary>
    public static void DropoutForwardReference(
        Activation activation, Span<float> dropped, Span<float> y, Span<float> x, ReadOnlySpan<float> bias,
        float keepProbability, ulong seed, ulong stream, int rows, int cols)
    {
        for (int e = 0; e < rows * cols; e++)
        {
            x[e] += bias[e % cols];
            y[e] = (float)Activations.ForwardReference(activation, x[e]);
            dropped[e] = Dropout.Keeps(keepProbability, seed, stream, e) ? y[e] / keepProbability : 0;
        }
    }

    /// <summary>dx = (dy * mask / keep) * f'(x) with the forward pass's mask; y = f(x) is for the kernels.</summary>
    public static void DropoutBackwardReference(
        Activation activation, Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        float keepProbability, ulong seed, ulong stream, int length)
    {
        _ = y;
        for (int i = 0; i < length; i++)
        {
            float kept = Dropout.Keeps(keepProbability, seed, stream, i) ? dy[i] / keepProbability : 0;
            dx[i] = (float)(kept * Activations.DerivativeReference(activation, x[i]));
        }
    }

    /// <summary>x += bias, y = f(x), grid-stride over the elements.</summary>
    internal static void ForwardKernel(Activation activation, FloatView y, FloatView x, FloatView bias, int rows, int cols)
    {
        int stride = Launch.Step;
        for (int e = Launch.Start; e < rows * cols; e += stride)
        {
            float pre = x[e] + bias[e % cols];
            x[e] = pre;
            y[e] = Activations.Forward(activation, pre);
        }
    }

    /// <summary>x += bias, y = f(x), dropped = y * mask / keep, grid-stride over the elements.</summary>
    internal static void DropoutForwardKernel(
        Activation activation, FloatView dropped, FloatView y, FloatView x, FloatView bias,
        float keepProbability, ulong seed, IntView step, int slot, int rows, int cols)
    {
        ulong stream = StepValues.ReadStream(step, slot);
        int stride = Launch.Step;
        for (int e = Launch.Start; e < rows * cols; e += stride)
        {
            float pre = x[e] + bias[e % cols];
            float post = Activations.Forward(activation, pre);
            x[e] = pre;
            y[e] = post;
            dropped[e] = Dropout.Apply(post, keepProbability, seed, stream, e);
        }
    }

    /// <summary>
    /// dx = (dy * mask / keep) * f'(x), grid-stride. dx may alias dy: each element reads dy
    /// before it writes dx.
    /// </summary>
    internal static void DropoutBackwardKernel(
        Activation activation, FloatView dx, FloatView dy, FloatView x, FloatView y,
        float keepProbability, ulong seed, IntView step, int slot, int length)
    {
        ulong stream = StepValues.ReadStream(step, slot);
        int stride = Launch.Step;
        for (int i = Launch.Start; i < length; i += stride)
        {
            float kept = Dropout.Apply(dy[i], keepProbability, seed, stream, i);
            dx[i] = kept * Activations.Derivative(activation, x, y, i);
        }
    }

    /// <summary>Loads the epilogue kernels on one accelerator once and launches them.</summary>
    internal sealed class Launcher
    {
        private readonly Accelerator accelerator;
        private readonly Action<KernelConfig, Activation, FloatView, FloatView, FloatView, int, int> forward;
        private readonly Action<KernelConfig, Activation, FloatView, FloatView, FloatView, FloatView, float, ulong, IntView, int, int, int> dropoutForward;
        private readonly Action<KernelConfig, Activation, FloatView, FloatView, FloatView, FloatView, float, ulong, IntView, int, int> dropoutBackward;

        public Launcher(Accelerator accelerator)
        {
            ArgumentNullException.ThrowIfNull(accelerator);
            this.accelerator = accelerator;
            forward = accelerator.LoadStreamKernel<Activation, FloatView, FloatView, FloatView, int, int>(ForwardKernel);
            dropoutForward = accelerator.LoadStreamKernel<Activation, FloatView, FloatView, FloatView, FloatView, float, ulong, IntView, int, int, int>(DropoutForwardKernel);
            dropoutBackward = accelerator.LoadStreamKernel<Activation, FloatView, FloatView, FloatView, FloatView, float, ulong, IntView, int, int>(DropoutBackwardKernel);
        }

        public void Forward(Activation activation, FloatView y, FloatView x, FloatView bias, int rows, int cols)
        {
            long length = (long)rows * cols;
            Launch.Require(y, length, nameof(y));
            Launch.Require(x, length, nameof(x));
            Launch.Require(bias, cols, nameof(bias));
            forward(Launch.GridStride(accelerator, length), activation, y, x, bias, rows, cols);
        }

        public void DropoutForward(
            Activation activation, FloatView dropped, FloatView y, FloatView x, FloatView bias,
            float keepProbability, ulong seed, IntView step, int slot, int rows, int cols)
        {
            Dropout.RequireKeepProbability(keepProbability);
            long length = (long)rows * cols;
            Launch.Require(dropped, length, nameof(dropped));
            Launch.Require(y, length, nameof(y));
            Launch.Require(x, length, nameof(x));
            Launch.Require(bias, cols, nameof(bias));
            dropoutForward(Launch.GridStride(accelerator, length), activation, dropped, y, x, bias, keepProbability, seed, step, slot, rows, cols);
        }

        public void DropoutBackward(
            Activation activation, FloatView dx, FloatView dy, FloatView x, FloatView y,
            float keepProbability, ulong seed, IntView step, int slot, int length)
        {
            Dropout.RequireKeepProbability(keepProbability);
            Launch.Require(dx, length, nameof(dx));
            Launch.Require(dy, length, nameof(dy));
            Launch.Require(x, length, nameof(x));
            Launch.Require(y, length, nameof(y));
            dropoutBackward(Launch.GridStride(accelerator, length), activation, dx, dy, x, y, keepProbability, seed, step, slot, length);
        }
    }
}
