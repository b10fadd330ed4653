using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using GpuVae.Kernels.Operations;

namespace GpuVae.Kernels.Host;

/// <summary>
/// The host backend's fast elementwise operations and the BCE loss: float32, SIMD through
/// TensorPrimitives and Vector256 (when the CPU has it; Vector256 falls back to scalar code otherwise), and spread
/// over cores for large tensors. Each is tested against its family's double-precision reference.
/// </summary>
internal static class HostElementwise
{
    /// <summary>
    /// Elements the fused epilogues take through every stage before the next: with dropout,
    /// 4 KiB of Philox words on the stack and 4 KiB of each buffer, well inside L1. A multiple
    /// of 64, so only the last block of the whole tensor can end off a vector boundary, and
    /// every element takes the same vector or scalar path it takes in a single pass.
    /// </summary>
    private const int ElementsPerBlock = 1024;

    /// <summary>
    /// Dropout costs 0.6-0.75 ns an element on one core with the AVX2 generator (a Philox
    /// block per four elements), against ~0.2 for bias_add, so it pays to split far below
    /// HostParallel's 32k default. Measured here with AVX-512 off: 8192 elements took 6.1 us
    /// on one core and 4.9 on two, 4096 took 3.1 and 3.2; the step's 64000, 47 and 25. The
    /// fused epilogues only add work per element to it, so they split at the same size.
    /// </summary>
    private const int DropoutMinimumElementsPerChunk = 4 * 1024;

    /// <summary>
    /// x (rows, cols) += bias (1, cols), then y = f(x): <see cref="Epilogues.ForwardReference"/>
    /// in float32, in L1-sized blocks so each element makes one trip through memory.
    /// </summary>
    public static void BiasActivation(Activation activation, float[] y, float[] x, float[] bias, int rows, int cols)
    {
        var job = (activation, y, x, bias, cols);
        HostParallel.For(rows * cols, ref job, static (ref job, start, end) =>
        {
            for (int block = start; block < end; block += ElementsPerBlock)
            {
                int count = Math.Min(ElementsPerBlock, end - block);
                AddBias(job.x.AsSpan(block, count), job.bias.AsSpan(0, job.cols), block);
                Activate(job.activation, job.y.AsSpan(block, count), job.x.AsSpan(block, count));
            }
        });
    }

    /// <summary>
    /// x (rows, cols) += bias (1, cols), y = f(x), dropped = y * mask / keep:
    /// <see cref="Epilogues.DropoutForwardReference"/> in float32, with the masks of
    /// <see cref="Dropout.Keeps"/> from the given Philox generator (the backend's choice).
    /// </summary>
    public static void BiasActivationDropout(
        HostPhiloxIsa isa, Activation activation, float[] dropped, float[] y, float[] x, float[] bias,
        float keepProbability, ulong seed, ulong stream, int rows, int cols)
    {
        var job = (isa, activation, dropped, y, x, bias, keepProbability, seed, stream, cols);
        HostParallel.For(rows * cols, DropoutMinimumElementsPerChunk, ref job, static (ref job, start, end) =>
        {
            // HostParallel's chunks start at multiples of 64, so every block starts on a Philox
            // block, as HostPhilox.Generate requires. A block's words and values stay in L1
            // from the generator and the activation writing them to the mask reading them.
            Span<uint> words = stackalloc uint[ElementsPerBlock];
            for (int block = start; block < end; block += ElementsPerBlock)
            {
                int count = Math.Min(ElementsPerBlock, end - block);
                AddBias(job.x.AsSpan(block, count), job.bias.AsSpan(0, job.cols), block);
                Activate(job.activation, job.y.AsSpan(block, count), job.x.AsSpan(block, count));
                HostPhilox.Generate(job.isa, words[..count], job.seed, job.stream, RandomPurpose.Dropout, block);
                ApplyDropoutMask(job.dropped.AsSpan(block, count), job.y.AsSpan(block, count), words[..count], job.keepProbability);
            }
        });
    }

    /// <summary>dx = dy * f'(x), written with y = f(x) where that is cheaper than recomputing f.</summary>
    public static void ActivationBackward(Activation activation, float[] dx, float[] dy, float[] x, float[] y, int length)
    {
        var job = (activation, dx, dy, x, y);
        HostParallel.For(length, ref job, static (ref job, start, end) =>
            MultiplyByDerivative(job.activation, job.dx.AsSpan(start, end - start), job.dy.AsSpan(start, end - start), job.x.AsSpan(start, end - start), job.y.AsSpan(start, end - start)));
    }

    /// <summary>
    /// dx = (dy * mask / keep) * f'(x): <see cref="Epilogues.DropoutBackwardReference"/> in
    /// float32, the mask recomputed from (seed, stream, i), never stored. dx may alias dy.
    /// </summary>
    public static void DropoutActivationBackward(
        Activation activation, float[] dx, float[] dy, float[] x, float[] y, float keepProbability, ulong seed, ulong stream, int length)
    {
        var job = (activation, dx, dy, x, y, keepProbability, seed, stream);
        HostParallel.For(length, DropoutMinimumElementsPerChunk, ref job, static (ref job, start, end) =>
        {
            Span<uint> words = stackalloc uint[ElementsPerBlock];
            for (int block = start; block < end; block += ElementsPerBlock)
            {
                int count = Math.Min(ElementsPerBlock, end - block);
                var gradient = job.dx.AsSpan(block, count);
                HostPhilox.Generate(words[..count], job.seed, job.stream, RandomPurpose.Dropout, block);
                ApplyDropoutMask(gradient, job.dy.AsSpan(block, count), words[..count], job.keepProbability);
                MultiplyByDerivative(job.activation, gradient, gradient, job.x.AsSpan(block, count), job.y.AsSpan(block, count));
            }
        });
    }

    /// <summary>y = x over the cores: the memory-bandwidth benchmark streams hundreds of megabytes through it.</summary>
    public static void Copy(float[] y, float[] x, int length)
    {
        var job = (y, x);
        HostParallel.For(length, ref job, static (ref job, start, end) => job.x.AsSpan(start, end - start).CopyTo(job.y.AsSpan(start, end - start)));
    }

    /// <summary>y (rows, cols) += bias (1, cols).</summary>
    public static void AddBias(float[] y, float[] bias, int rows, int cols)
    {
        var job = (y, bias, cols);
        HostParallel.ForRows(rows, cols, ref job, static (ref job, start, end) =>
        {
            for (int row = start; row < end; row++)
            {
                var segment = job.y.AsSpan(row * job.cols, job.cols);
                TensorPrimitives.Add(segment, job.bias.AsSpan(0, job.cols), segment);
            }
        });
    }

    /// <summary>sums (1, cols) = alpha * column sums of x, accumulated row by row in float.</summary>
    public static void SumColumns(float[] sums, float[] x, float alpha, int rows, int cols)
    {
        var total = sums.AsSpan(0, cols);
        total.Clear();
        for (int row = 0; row < rows; row++)
        {
            TensorPrimitives.Add(total, x.AsSpan(row * cols, cols), total);
        }

        TensorPrimitives.Multiply(total, alpha, total);
    }

    /// <summary>
    /// Per-row BCE of <see cref="Losses.BinaryCrossEntropyReference"/> in float32, with the
    /// kernels' clamping: log(max(p, 1e-8)) and log(max(1 - max(p, 1e-8), 1e-8)).
    /// </summary>
    public static void BinaryCrossEntropy(float[] loss, float[] p, float[] target, int rows, int cols)
    {
        var job = (loss, p, target, cols);
        HostParallel.ForRows(rows, cols, ref job, static (ref job, start, end) =>
        {
            for (int row = start; row < end; row++)
            {
                job.loss[row] = RowBinaryCrossEntropy(job.p, job.target, row * job.cols, (row + 1) * job.cols);
            }
        });
    }

    /// <summary>-sum over [i, end) of t log p + (1 - t) log(1 - p), clamped: one row of <see cref="BinaryCrossEntropy"/>.</summary>
    private static float RowBinaryCrossEntropy(float[] p, float[] target, int i, int end)
    {
        float sum = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var floor = Vector256.Create(Losses.ProbabilityClamp);
            var one = Vector256.Create(1f);
            var sums = Vector256<float>.Zero;
            for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var probability = Vector256.Max(Vector256.LoadUnsafe(ref p[i]), floor);
                var t = Vector256.LoadUnsafe(ref target[i]);
                sums += (t * Vector256.Log(probability)) + ((one - t) * Vector256.Log(Vector256.Max(one - probability, floor)));
            }

            sum = Vector256.Sum(sums);
        }

        for (; i < end; i++)
        {
            float probability = MathF.Max(p[i], Losses.ProbabilityClamp);
            sum += (target[i] * MathF.Log(probability)) + ((1 - target[i]) * MathF.Log(MathF.Max(1 - probability, Losses.ProbabilityClamp)));
        }

        return -sum;
    }

    /// <summary>
    /// dLogits = scale * (p - t), 0 where p is clamped: <see cref="Losses.BinaryCrossEntropyBackwardReference"/>,
    /// eight lanes at a time. The reference's upper test, p > 1 - 1e-8 in double, holds for
    /// exactly the floats p >= 1 (the float below 1 is 1 - 2^-24), so the lanes test that.
    /// </summary>
    public static void BinaryCrossEntropyBackward(float[] dLogits, float[] p, float[] target, float scale, int length)
    {
        var job = (dLogits, p, target, scale);
        HostParallel.For(length, ref job, static (ref job, start, end) =>
        {
            var (dLogits, p, target, scale) = job;
            int i = start;
            if (Vector256.IsHardwareAccelerated)
            {
                var floor = Vector256.Create(Losses.ProbabilityClamp);
                var one = Vector256.Create(1f);
                var scales = Vector256.Create(scale);
                for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    var probability = Vector256.LoadUnsafe(ref p[i]);
                    var clamped = Vector256.LessThan(probability, floor) | Vector256.GreaterThanOrEqual(probability, one);
                    var gradient = scales * (probability - Vector256.LoadUnsafe(ref target[i]));
                    Vector256.ConditionalSelect(clamped, Vector256<float>.Zero, gradient).StoreUnsafe(ref dLogits[i]);
                }
            }

            Losses.BinaryCrossEntropyBackwardReference(dLogits.AsSpan(i, end - i), p.AsSpan(i, end - i), target.AsSpan(i, end - i), scale, end - i);
        });
    }

    /// <summary>The fused Adam update of <see cref="Adam.UpdateReference"/> in float32.</summary>
    public static void AdamUpdate(float[] parameters, float[] m, float[] v, float[] gradient, StepValues step, int length)
    {
        var (stepSize, secondMomentCorrection, beta1, beta2, epsilon) = step.Adam;
        float inverseCorrection = 1 / secondMomentCorrection;
        var job = (parameters, m, v, gradient, stepSize, inverseCorrection, beta1, beta2, epsilon);
        HostParallel.For(length, ref job, static (ref job, start, end) =>
        {
            var (parameters, m, v, gradient, stepSize, inverseCorrection, beta1, beta2, epsilon) = job;
            int i = start;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    var g = Vector256.LoadUnsafe(ref gradient[i]);
                    var first = (Vector256.LoadUnsafe(ref m[i]) * beta1) + (g * (1 - beta1));
                    var second = (Vector256.LoadUnsafe(ref v[i]) * beta2) + (g * g * (1 - beta2));
                    first.StoreUnsafe(ref m[i]);
                    second.StoreUnsafe(ref v[i]);
                    var update = first * stepSize / ((Vector256.Sqrt(second) * inverseCorrection) + Vector256.Create(epsilon));
                    (Vector256.LoadUnsafe(ref parameters[i]) - update).StoreUnsafe(ref parameters[i]);
                }
            }

            for (; i < end; i++)
            {
                float g = gradient[i];
                m[i] = (beta1 * m[i]) + ((1 - beta1) * g);
                v[i] = (beta2 * v[i]) + ((1 - beta2) * g * g);
                parameters[i] -= stepSize * m[i] / ((MathF.Sqrt(v[i]) * inverseCorrection) + epsilon);
            }
        });
    }

    /// <summary>
    /// y = x / keep where the word's uniform is below keep, else 0: Dropout.Keeps's test on
    /// each word. The uniform (word >> 8) * 2^-24 is exact in float whether converted one
    /// lane or eight at a time, and dividing (not multiplying by 1 / keep) keeps the result
    /// bit-identical to the reference and the ILGPU kernels.
    /// </summary>
    private static void ApplyDropoutMask(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<uint> words, float keepProbability)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var keep = Vector256.Create(keepProbability);
            var unit = Vector256.Create(1.0f / 16777216.0f);
            for (; i <= y.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var uniform = Vector256.ConvertToSingle((Vector256.LoadUnsafe(in words[i]) >> 8).AsInt32()) * unit;
                var kept = Vector256.LessThan(uniform, keep);
                Vector256.ConditionalSelect(kept, Vector256.LoadUnsafe(in x[i]) / keep, Vector256<float>.Zero).StoreUnsafe(ref y[i]);
            }
        }

        for (; i < y.Length; i++)
        {
            y[i] = Philox.UniformOpenAbove(words[i]) < keepProbability ? x[i] / keepProbability : 0;
        }
    }

    /// <summary>
    /// block (a flat range of a (rows, cols) tensor starting at element first) += the bias of
    /// each element's column: the float additions <see cref="AddBias(float[], float[], int, int)"/>
    /// does, row segment by row segment.
    /// </summary>
    private static void AddBias(Span<float> block, ReadOnlySpan<float> bias, int first)
    {
        int col = first % bias.Length;
        for (int done = 0; done < block.Length; col = 0)
        {
            int count = Math.Min(bias.Length - col, block.Length - done);
            var segment = block.Slice(done, count);
            TensorPrimitives.Add(segment, bias.Slice(col, count), segment);
            done += count;
        }
    }

    /// <summary>
    /// y = f(x) over a span that starts on a vector boundary: eight lanes at a time, the
    /// remainder one at a time. The vector and scalar forms round differently (tanh's
    /// especially), so every caller must split a tensor at the same elements.
    /// </summary>
    private static void Activate(Activation activation, Span<float> y, ReadOnlySpan<float> x)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256.Create(1f);
            var two = Vector256.Create(2f);
            for (; i <= y.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var input = Vector256.LoadUnsafe(in x[i]);
                var output = activation switch
                {
                    Activation.Elu => Vector256.ConditionalSelect(
                        Vector256.GreaterThan(input, Vector256<float>.Zero), input, Vector256.Exp(input) - one),
                    // 1 - 2 / (e^2x + 1): saturates to +-1 where e^2x overflows or vanishes.
                    Activation.Tanh => one - (two / (Vector256.Exp(two * input) + one)),
                    Activation.Sigmoid => one / (one + Vector256.Exp(-input)),
                    // max(x, 0) + log(1 + e^-|x|): no overflow for large |x|.
                    Activation.Softplus => Vector256.Max(input, Vector256<float>.Zero) + Vector256.Log(one + Vector256.Exp(-Vector256.Abs(input))),
                    Activation.Relu => Vector256.ConditionalSelect(Vector256.GreaterThan(input, Vector256<float>.Zero), input, Vector256<float>.Zero),
                    Activation.Gelu => input * Sigmoid(GeluArgument(input)),
                    _ => throw Activations.Unhandled(activation),
                };
                output.StoreUnsafe(ref y[i]);
            }
        }

        for (; i < y.Length; i++)
        {
            float input = x[i];
            y[i] = activation switch
            {
                Activation.Elu => input > 0 ? input : MathF.Exp(input) - 1,
                Activation.Tanh => MathF.Tanh(input),
                Activation.Sigmoid => 1 / (1 + MathF.Exp(-input)),
                Activation.Softplus => MathF.Max(input, 0) + MathF.Log(1 + MathF.Exp(-MathF.Abs(input))),
                Activation.Relu => input > 0 ? input : 0,
                Activation.Gelu => input / (1 + MathF.Exp(-Activations.GeluArgument(input))),
                _ => throw Activations.Unhandled(activation),
            };
        }
    }

    /// <summary>
    /// dx = dy * f'(x) over a span that starts on a vector boundary, with f' from y = f(x)
    /// where that is cheaper than recomputing f; dx may alias dy. Split like <see cref="Activate"/>.
    /// </summary>
    private static void MultiplyByDerivative(Activation activation, Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256.Create(1f);
            for (; i <= dx.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var g = Vector256.LoadUnsafe(in dy[i]);
                var output = Vector256.LoadUnsafe(in y[i]);
                var derivative = activation switch
                {
                    // ELU: 1 for x > 0, else exp(x) = y + 1.
                    Activation.Elu => Vector256.ConditionalSelect(
                        Vector256.GreaterThan(Vector256.LoadUnsafe(in x[i]), Vector256<float>.Zero), one, output + one),
                    Activation.Tanh => one - (output * output),
                    Activation.Sigmoid => output * (one - output),
                    Activation.Softplus => Sigmoid(Vector256.LoadUnsafe(in x[i])),
                    Activation.Relu => Vector256.ConditionalSelect(
                        Vector256.GreaterThan(Vector256.LoadUnsafe(in x[i]), Vector256<float>.Zero), one, Vector256<float>.Zero),
                    Activation.Gelu => GeluDerivative(Vector256.LoadUnsafe(in x[i])),
                    _ => throw Activations.Unhandled(activation),
                };
                (g * derivative).StoreUnsafe(ref dx[i]);
            }
        }

        for (; i < dx.Length; i++)
        {
            float derivative = activation switch
            {
                Activation.Elu => x[i] > 0 ? 1 : y[i] + 1,
                Activation.Tanh => 1 - (y[i] * y[i]),
                Activation.Sigmoid => y[i] * (1 - y[i]),
                Activation.Softplus => 1 / (1 + MathF.Exp(-x[i])),
                Activation.Relu => x[i] > 0 ? 1 : 0,
                Activation.Gelu => ScalarGeluDerivative(x[i]),
                _ => throw Activations.Unhandled(activation),
            };
            dx[i] = dy[i] * derivative;
        }
    }

    private static Vector256<float> Sigmoid(Vector256<float> x) =>
        Vector256.Create(1f) / (Vector256.Create(1f) + Vector256.Exp(-x));

    /// <summary>Eight lanes of <see cref="Activations.GeluArgument"/>, with its constants.</summary>
    private static Vector256<float> GeluArgument(Vector256<float> x) =>
        x * (Vector256.Create(Activations.GeluLinear) + (Vector256.Create(Activations.GeluCubicTerm) * x * x));

    /// <summary>s + x s (1 - s) v' with s = sigmoid(v): <see cref="Activations.GeluDerivative"/>, eight lanes.</summary>
    private static Vector256<float> GeluDerivative(Vector256<float> x)
    {
        var s = Sigmoid(GeluArgument(x));
        var slope = Vector256.Create(Activations.GeluLinear) + (Vector256.Create(3 * Activations.GeluCubicTerm) * x * x);
        return s + (x * s * (Vector256.Create(1f) - s) * slope);
    }

    private static float ScalarGeluDerivative(float x)
    {
        float s = 1 / (1 + MathF.Exp(-Activations.GeluArgument(x)));
        return s + (x * s * (1 - s) * Activations.GeluArgumentSlope(x));
    }
}
