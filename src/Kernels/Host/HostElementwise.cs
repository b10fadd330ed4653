using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace GpuVae.Kernels.Host;

/// <summary>
/// The host backend's fast elementwise operations and the BCE loss: float32, SIMD through
/// TensorPrimitives and Vector256 (when the CPU has it; Vector256 falls back to scalar code otherwise), and spread
/// over cores for large tensors. Each is tested against its family's double-precision reference.
/// </summary>
public static class HostElementwise
{
    public static void ActivationForward(Activation activation, float[] y, float[] x, int length) =>
        HostParallel.For(length, (start, end) =>
        {
            int i = start;
            if (Vector256.IsHardwareAccelerated)
            {
                var one = Vector256.Create(1f);
                var two = Vector256.Create(2f);
                for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    var input = Vector256.LoadUnsafe(ref x[i]);
                    var output = activation switch
                    {
                        Activation.Elu => Vector256.ConditionalSelect(
                            Vector256.GreaterThan(input, Vector256<float>.Zero), input, Vector256.Exp(input) - one),
                        // 1 - 2 / (e^2x + 1): saturates to +-1 where e^2x overflows or vanishes.
                        Activation.Tanh => one - (two / (Vector256.Exp(two * input) + one)),
                        Activation.Sigmoid => one / (one + Vector256.Exp(-input)),
                        // max(x, 0) + log(1 + e^-|x|): no overflow for large |x|.
                        _ => Vector256.Max(input, Vector256<float>.Zero) + Vector256.Log(one + Vector256.Exp(-Vector256.Abs(input))),
                    };
                    output.StoreUnsafe(ref y[i]);
                }
            }

            for (; i < end; i++)
            {
                float input = x[i];
                y[i] = activation switch
                {
                    Activation.Elu => input > 0 ? input : MathF.Exp(input) - 1,
                    Activation.Tanh => MathF.Tanh(input),
                    Activation.Sigmoid => 1 / (1 + MathF.Exp(-input)),
                    _ => MathF.Max(input, 0) + MathF.Log(1 + MathF.Exp(-MathF.Abs(input))),
                };
            }
        });

    /// <summary>dx = dy * f'(x), written with y = f(x) where that is cheaper than recomputing f.</summary>
    public static void ActivationBackward(Activation activation, float[] dx, float[] dy, float[] x, float[] y, int length) =>
        HostParallel.For(length, (start, end) =>
        {
            int i = start;
            if (Vector256.IsHardwareAccelerated)
            {
                var one = Vector256.Create(1f);
                for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    var g = Vector256.LoadUnsafe(ref dy[i]);
                    var output = Vector256.LoadUnsafe(ref y[i]);
                    var derivative = activation switch
                    {
                        // ELU: 1 for x > 0, else exp(x) = y + 1.
                        Activation.Elu => Vector256.ConditionalSelect(
                            Vector256.GreaterThan(Vector256.LoadUnsafe(ref x[i]), Vector256<float>.Zero), one, output + one),
                        Activation.Tanh => one - (output * output),
                        Activation.Sigmoid => output * (one - output),
                        _ => SoftplusDerivative(Vector256.LoadUnsafe(ref x[i])),
                    };
                    (g * derivative).StoreUnsafe(ref dx[i]);
                }
            }

            for (; i < end; i++)
            {
                float derivative = activation switch
                {
                    Activation.Elu => x[i] > 0 ? 1 : y[i] + 1,
                    Activation.Tanh => 1 - (y[i] * y[i]),
                    Activation.Sigmoid => y[i] * (1 - y[i]),
                    _ => 1 / (1 + MathF.Exp(-x[i])),
                };
                dx[i] = dy[i] * derivative;
            }
        });

    /// <summary>y = x * mask / keep with the masks of <see cref="Dropout.Keeps"/>.</summary>
    public static void Dropout(float[] y, float[] x, float keepProbability, ulong seed, ulong stream, int length)
    {
        HostParallel.For(length, (start, end) =>
        {
            // One Philox block decides four neighbours, exactly as Dropout.Keeps assigns words;
            // chunks start at multiples of 64, so no block straddles two chunks. Dividing (not
            // multiplying by 1 / keep) keeps the result bit-identical to the reference and kernels.
            for (int i = start; i < end; i += 4)
            {
                var block = Philox.Generate(seed, stream, (uint)i >> 2, RandomPurpose.Dropout);
                y[i] = Philox.UniformOpenAbove(block.X) < keepProbability ? x[i] / keepProbability : 0;
                if (i + 1 < end)
                {
                    y[i + 1] = Philox.UniformOpenAbove(block.Y) < keepProbability ? x[i + 1] / keepProbability : 0;
                }

                if (i + 2 < end)
                {
                    y[i + 2] = Philox.UniformOpenAbove(block.Z) < keepProbability ? x[i + 2] / keepProbability : 0;
                }

                if (i + 3 < end)
                {
                    y[i + 3] = Philox.UniformOpenAbove(block.W) < keepProbability ? x[i + 3] / keepProbability : 0;
                }
            }
        });
    }

    /// <summary>y (rows, cols) += bias (1, cols).</summary>
    public static void AddBias(float[] y, float[] bias, int rows, int cols) =>
        Parallel.For(0, rows, row => TensorPrimitives.Add(y.AsSpan(row * cols, cols), bias.AsSpan(0, cols), y.AsSpan(row * cols, cols)));

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
    public static void BinaryCrossEntropy(float[] loss, float[] p, float[] target, int rows, int cols) =>
        Parallel.For(0, rows, row =>
        {
            int i = row * cols, end = (row + 1) * cols;
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

            loss[row] = -sum;
        });

    /// <summary>The fused Adam update of <see cref="Adam.UpdateReference"/> in float32.</summary>
    public static void AdamUpdate(float[] parameters, float[] m, float[] v, float[] gradient, AdamStep step, int length)
    {
        float beta1 = step.Beta1, beta2 = step.Beta2, stepSize = step.StepSize, epsilon = step.Epsilon;
        float inverseCorrection = 1 / step.SecondMomentCorrection;
        HostParallel.For(length, (start, end) =>
        {
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

    private static Vector256<float> SoftplusDerivative(Vector256<float> x) =>
        Vector256.Create(1f) / (Vector256.Create(1f) + Vector256.Exp(-x));
}
