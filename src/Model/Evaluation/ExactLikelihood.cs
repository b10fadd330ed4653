using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Network;

namespace GpuVae.Model.Evaluation;

/// <summary>
/// -log p(x) = -log of the integral of p(x | z) p(z) dz, computed, not bounded, where the latent
/// space is small enough (Z &lt;= 2): the midpoint rule on G points an axis over
/// [-<see cref="Range"/>, <see cref="Range"/>]^Z, summed by log-sum-exp in float64. p(z) is
/// N(0, I), which puts 2e-9 of its mass outside [-6, 6] an axis, and p(x | z) is the decoder's
/// Bernoulli with the training loss's clamp, so the number sits beside the importance-weighted
/// bound of <see cref="VaeInference.ImportanceWeightedNll"/>, which it must not exceed.
/// </summary>
/// <remarks>
/// log p(x | z_g) = sum_d x_d (log p_gd - log(1 - p_gd)) + sum_d log(1 - p_gd), so the scores of
/// N images at G^Z points are one GEMM (N, D) x (D, G^Z) on the backend plus a per-point
/// constant taken in float64 on the host. The GEMM runs in float32: its K = D = 784 products of
/// terms up to 18.4 in size leave a few 1e-4 nats of rounding per score.
/// </remarks>
public static class ExactLikelihood
{
    /// <summary>The grid covers [-Range, Range] on every latent axis.</summary>
    public const double Range = 6;

    /// <summary>The largest Z a grid can cover: G^Z decoded points.</summary>
    public const int MaximumLatent = 2;

    // Grid points decoded and scored at a time, and images scored at a time: the (images, points)
    // score block is 2,000 x 2,048 floats, 16 MB.
    private const int PointsPerChunk = 2048;
    private const int ImagesPerChunk = 2000;

    /// <summary>Per image of images (N, D): -log p(x) in nats on a grid of pointsPerAxis^Z points.</summary>
    /// <remarks>For the conditional VAE, label names the class all the images are of, and the integral is -log p(x | y).</remarks>
    public static double[] NegativeLogLikelihoods(Vae model, ReadOnlySpan<float> images, int pointsPerAxis, int? label = null)
    {
        var config = model.Config;
        int z = config.Latent, d = config.Pixels;
        if (z > MaximumLatent)
        {
            throw new ArgumentException($"the grid integral needs Z <= {MaximumLatent}, the model has Z = {z}", nameof(model));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(pointsPerAxis, 2);
        int count = images.Length / d;
        long points = (long)Math.Pow(pointsPerAxis, z);
        double step = 2 * Range / pointsPerAxis;
        double logCell = z * Math.Log(step);
        var backend = model.Backend;
        var max = new double[count];
        var sum = new double[count];
        Array.Fill(max, double.NegativeInfinity);
        using var inference = new VaeInference(model, seed: 0);
        for (long first = 0; first < points; first += PointsPerChunk)
        {
            int chunk = (int)Math.Min(PointsPerChunk, points - first);
            var codes = new float[chunk * z];
            var constant = new double[chunk];
            for (int g = 0; g < chunk; g++)
            {
                long index = first + g;
                double logPrior = 0;
                for (int axis = 0; axis < z; axis++, index /= pointsPerAxis)
                {
                    double value = -Range + ((index % pointsPerAxis) + 0.5) * step;
                    codes[(g * z) + axis] = (float)value;
                    logPrior -= 0.5 * ((value * value) + Math.Log(2 * Math.PI));
                }

                constant[g] = logPrior + logCell;
            }

            // weights (G', D) = log p - log(1 - p), clamped as the loss clamps (in double: in float 1 - 1e-8 is 1).
            float[] probabilities = label is { } y ? inference.Decode(codes, LabelOneHots.Repeat(y, chunk, config.Classes)) : inference.Decode(codes);
            var weights = new float[chunk * d];
            for (int g = 0; g < chunk; g++)
            {
                double logMiss = 0;
                for (int i = 0; i < d; i++)
                {
                    double p = Math.Clamp(probabilities[(g * d) + i], Losses.ProbabilityClamp, 1 - (double)Losses.ProbabilityClamp);
                    double logOff = Math.Log(1 - p);
                    weights[(g * d) + i] = (float)(Math.Log(p) - logOff);
                    logMiss += logOff;
                }

                constant[g] += logMiss;
            }

            using var w = backend.Allocate(chunk, d);
            backend.Upload(w, weights);
            for (int start = 0; start < count; start += ImagesPerChunk)
            {
                int rows = Math.Min(ImagesPerChunk, count - start);
                using var x = backend.Allocate(rows, d);
                using var scores = backend.Allocate(rows, chunk);
                backend.Upload(x, images.Slice(start * d, rows * d));
                // scores (rows, G') = x (rows, D) weights^T (D, G')
                backend.Gemm(scores, x, false, w, true, 1, 0);
                var host = new float[rows * chunk];
                backend.Download(scores, host);
                for (int n = 0; n < rows; n++)
                {
                    Accumulate(ref max[start + n], ref sum[start + n], host.AsSpan(n * chunk, chunk), constant);
                }
            }
        }

        var result = new double[count];
        for (int n = 0; n < count; n++)
        {
            result[n] = -(max[n] + Math.Log(sum[n]));
        }

        return result;
    }

    /// <summary>Adds exp(scores + constant) to the running log-sum-exp sum * exp(max), rescaling when the max grows.</summary>
    private static void Accumulate(ref double max, ref double sum, ReadOnlySpan<float> scores, double[] constant)
    {
        double chunkMax = double.NegativeInfinity;
        for (int g = 0; g < scores.Length; g++)
        {
            chunkMax = Math.Max(chunkMax, scores[g] + constant[g]);
        }

        if (chunkMax > max)
        {
            sum *= Math.Exp(max - chunkMax);
            max = chunkMax;
        }

        for (int g = 0; g < scores.Length; g++)
        {
            sum += Math.Exp(scores[g] + constant[g] - max);
        }
    }
}
