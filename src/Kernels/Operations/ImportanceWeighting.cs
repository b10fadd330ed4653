using GpuVae.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using FloatView = ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense>;

namespace GpuVae.Kernels.Operations;

/// <summary>
/// The importance-weighted bound (IWAE) over K samples per image: each sample's log prior
/// over posterior, the images' softmax weights and bound, the rows scaled by their weights
/// for backward, and the prior-over-posterior term's gradient. The BCE it weighs is
/// <see cref="Losses"/>'.
/// </summary>
public static class ImportanceWeighting
{
    /// <summary>logWeight (B, 1) = sum_z [log sigma + (eps^2 - z^2) / 2] = log N(z; 0, I) - log N(z; mu, sigma^2).</summary>
    public static void LogPriorOverPosteriorReference(
        Span<float> logWeight, ReadOnlySpan<float> z, ReadOnlySpan<float> eps, ReadOnlySpan<float> sigma, int rows, int latent)
    {
        for (int row = 0; row < rows; row++)
        {
            double sum = 0;
            for (int j = 0; j < latent; j++)
            {
                int i = (row * latent) + j;
                sum += Math.Log(sigma[i]) + ((((double)eps[i] * eps[i]) - ((double)z[i] * z[i])) / 2);
            }

            logWeight[row] = (float)sum;
        }
    }

    /// <summary>
    /// The importance-weighted bound (IWAE) per image over its K rows r = b K .. b K + K - 1:
    /// log w_r = logPriorOverPosterior_r - bce_r (log p(z) - log q(z | x) + log p(x | z)),
    /// weights_r = softmax(log w)_r over the image's rows, and loss_b = -log (1/K sum_r w_r)
    /// (<see cref="LogMeanExpReference"/>). In double.
    /// </summary>
    public static void ImportanceWeightsReference(
        Span<float> weights, Span<float> loss, ReadOnlySpan<float> bce, ReadOnlySpan<float> logPriorOverPosterior, int images, int samples)
    {
        var logWeights = new double[samples];
        for (int image = 0; image < images; image++)
        {
            int first = image * samples;
            for (int k = 0; k < samples; k++)
            {
                logWeights[k] = (double)logPriorOverPosterior[first + k] - bce[first + k];
            }

            var (largest, sum) = ShiftedExpSum(logWeights);
            for (int k = 0; k < samples; k++)
            {
                weights[first + k] = (float)(Math.Exp(logWeights[k] - largest) / sum);
            }

            loss[image] = (float)-LogMeanExp(largest, sum, samples);
        }
    }

    /// <summary>
    /// log (1/n sum_i e^(v_i)) = m + log sum_i e^(v_i - m) - log n with m the largest v_i, so no
    /// exponential overflows: the importance-weighted bound of one image from its log weights.
    /// </summary>
    public static double LogMeanExpReference(ReadOnlySpan<double> values)
    {
        var (largest, sum) = ShiftedExpSum(values);
        return LogMeanExp(largest, sum, values.Length);
    }

    /// <summary>y (R, C) row r scaled by weights[r]: one multiply an element.</summary>
    public static void ScaleRowsReference(Span<float> y, ReadOnlySpan<float> weights, int rows, int cols)
    {
        for (int i = 0; i < rows * cols; i++)
        {
            y[i] *= weights[i / cols];
        }
    }

    /// <summary>
    /// The gradient of scale * weights[r] * -(log p(z) - log q(z | x)) through z = mu + sigma * eps
    /// with eps fixed: dMu += scale * w_r * z; dSigma += scale * w_r * (z * eps - 1 / sigma).
    /// </summary>
    public static void LogPriorOverPosteriorBackwardReference(
        Span<float> dMu, Span<float> dSigma, ReadOnlySpan<float> z, ReadOnlySpan<float> eps, ReadOnlySpan<float> sigma,
        ReadOnlySpan<float> weights, float scale, int rows, int latent)
    {
        for (int i = 0; i < rows * latent; i++)
        {
            double rowScale = (double)scale * weights[i / latent];
            dMu[i] += (float)(rowScale * z[i]);
            dSigma[i] += (float)(rowScale * (((double)z[i] * eps[i]) - (1 / (double)sigma[i])));
        }
    }

    /// <summary>One thread per image: logWeight = sum_z [log sigma + (eps^2 - z^2) / 2].</summary>
    internal static void LogPriorOverPosteriorKernel(FloatView logWeight, FloatView z, FloatView eps, FloatView sigma, int rows, int latent)
    {
        int stride = Launch.Step;
        for (int row = Launch.Start; row < rows; row += stride)
        {
            float sum = 0;
            for (int i = row * latent; i < (row + 1) * latent; i++)
            {
                float e = eps[i];
                float zi = z[i];
                sum += XMath.Log(sigma[i]) + (((e * e) - (zi * zi)) / 2);
            }

            logWeight[row] = sum;
        }
    }

    /// <summary>One thread per image walks its K rows three times: the largest log weight, the sum, the weights.</summary>
    internal static void ImportanceWeightsKernel(FloatView weights, FloatView loss, FloatView bce, FloatView logPriorOverPosterior, int images, int samples)
    {
        int stride = Launch.Step;
        for (int image = Launch.Start; image < images; image += stride)
        {
            int first = image * samples;
            float largest = float.NegativeInfinity;
            for (int r = first; r < first + samples; r++)
            {
                largest = XMath.Max(largest, logPriorOverPosterior[r] - bce[r]);
            }

            float sum = 0;
            for (int r = first; r < first + samples; r++)
            {
                sum += XMath.Exp(logPriorOverPosterior[r] - bce[r] - largest);
            }

            for (int r = first; r < first + samples; r++)
            {
                weights[r] = XMath.Exp(logPriorOverPosterior[r] - bce[r] - largest) / sum;
            }

            loss[image] = -(largest + XMath.Log(sum) - XMath.Log(samples));
        }
    }

    internal static void ScaleRowsKernel(FloatView y, FloatView weights, int rows, int cols)
    {
        int stride = Launch.Step;
        int length = rows * cols;
        for (int i = Launch.Start; i < length; i += stride)
        {
            y[i] *= weights[i / cols];
        }
    }

    internal static void LogPriorOverPosteriorBackwardKernel(
        FloatView dMu, FloatView dSigma, FloatView z, FloatView eps, FloatView sigma, FloatView weights, float scale, int rows, int latent)
    {
        int stride = Launch.Step;
        int length = rows * latent;
        for (int i = Launch.Start; i < length; i += stride)
        {
            float rowScale = scale * weights[i / latent];
            float zi = z[i];
            dMu[i] += rowScale * zi;
            dSigma[i] += rowScale * ((zi * eps[i]) - (1 / sigma[i]));
        }
    }

    private static (double Largest, double Sum) ShiftedExpSum(ReadOnlySpan<double> values)
    {
        double largest = double.NegativeInfinity;
        foreach (double value in values)
        {
            largest = Math.Max(largest, value);
        }

        double sum = 0;
        foreach (double value in values)
        {
            sum += Math.Exp(value - largest);
        }

        return (largest, sum);
    }

    private static double LogMeanExp(double largest, double sum, int count) => largest + Math.Log(sum) - Math.Log(count);

    /// <summary>Loads the importance-weighting kernels on one accelerator once and launches them.</summary>
    internal sealed class Launcher
    {
        private readonly Accelerator accelerator;
        private readonly Action<KernelConfig, FloatView, FloatView, FloatView, FloatView, int, int> logPriorOverPosterior;
        private readonly Action<KernelConfig, FloatView, FloatView, FloatView, FloatView, int, int> importanceWeights;
        private readonly Action<KernelConfig, FloatView, FloatView, int, int> scaleRows;
        private readonly Action<KernelConfig, FloatView, FloatView, FloatView, FloatView, FloatView, FloatView, float, int, int> logPriorOverPosteriorBackward;

        public Launcher(Accelerator accelerator)
        {
            ArgumentNullException.ThrowIfNull(accelerator);
            this.accelerator = accelerator;
            logPriorOverPosterior = accelerator.LoadStreamKernel<FloatView, FloatView, FloatView, FloatView, int, int>(LogPriorOverPosteriorKernel);
            importanceWeights = accelerator.LoadStreamKernel<FloatView, FloatView, FloatView, FloatView, int, int>(ImportanceWeightsKernel);
            scaleRows = accelerator.LoadStreamKernel<FloatView, FloatView, int, int>(ScaleRowsKernel);
            logPriorOverPosteriorBackward = accelerator.LoadStreamKernel<FloatView, FloatView, FloatView, FloatView, FloatView, FloatView, float, int, int>(LogPriorOverPosteriorBackwardKernel);
        }

        public void LogPriorOverPosterior(FloatView logWeight, FloatView z, FloatView eps, FloatView sigma, int rows, int latent)
        {
            Launch.Require(logWeight, rows, nameof(logWeight));
            Launch.Require(z, (long)rows * latent, nameof(z));
            Launch.Require(eps, (long)rows * latent, nameof(eps));
            Launch.Require(sigma, (long)rows * latent, nameof(sigma));
            logPriorOverPosterior(Launch.GridStride(accelerator, rows), logWeight, z, eps, sigma, rows, latent);
        }

        public void ImportanceWeights(FloatView weights, FloatView loss, FloatView bce, FloatView logPriorOverPosterior, int images, int samples)
        {
            Launch.Require(weights, (long)images * samples, nameof(weights));
            Launch.Require(loss, images, nameof(loss));
            Launch.Require(bce, (long)images * samples, nameof(bce));
            Launch.Require(logPriorOverPosterior, (long)images * samples, nameof(logPriorOverPosterior));
            importanceWeights(Launch.GridStride(accelerator, images), weights, loss, bce, logPriorOverPosterior, images, samples);
        }

        public void ScaleRows(FloatView y, FloatView weights, int rows, int cols)
        {
            Launch.Require(y, (long)rows * cols, nameof(y));
            Launch.Require(weights, rows, nameof(weights));
            scaleRows(Launch.GridStride(accelerator, rows * cols), y, weights, rows, cols);
        }

        public void LogPriorOverPosteriorBackward(
            FloatView dMu, FloatView dSigma, FloatView z, FloatView eps, FloatView sigma, FloatView weights, float scale, int rows, int latent)
        {
            long length = (long)rows * latent;
            Launch.Require(dMu, length, nameof(dMu));
            Launch.Require(dSigma, length, nameof(dSigma));
            Launch.Require(z, length, nameof(z));
            Launch.Require(eps, length, nameof(eps));
            Launch.Require(sigma, length, nameof(sigma));
            Launch.Require(weights, rows, nameof(weights));
            logPriorOverPosteriorBackward(Launch.GridStride(accelerator, rows * latent), dMu, dSigma, z, eps, sigma, weights, scale, rows, latent);
        }
    }
}
