using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Network;

namespace GpuVae.Tests.Model.Network;

/// <summary>
/// An independent float64 forward pass of the VAE over the config's list of layers (their
/// sizes, activations and dropout slots; the arithmetic is its own), written as plain loops: the
/// function whose central finite differences the hand-written backward pass is checked
/// against. It takes the noise eps and the dropout masks as given, so it evaluates exactly
/// the function the backend differentiated. For the conditional VAE it is the TensorFlow CVAE's
/// form: each first hidden layer one dense layer over the concatenated [x, y] or [z, y], its
/// weight the model's weight and label weight stacked.
/// </summary>
internal sealed class ReferenceVae
{
    private readonly VaeConfig config;
    private readonly int batch;
    private readonly double[] x;
    private readonly double[] target;
    private readonly double[] eps;
    private readonly Func<int, int, bool> keeps;
    private readonly double keepProbability;

    public ReferenceVae(VaeConfig config, int batch, float[] x, float[] target, float[] eps, double keepProbability, Func<int, int, bool> keeps)
    {
        this.config = config;
        this.batch = batch;
        this.x = Array.ConvertAll(x, v => (double)v);
        this.target = Array.ConvertAll(target, v => (double)v);
        this.eps = Array.ConvertAll(eps, v => (double)v);
        this.keepProbability = keepProbability;
        this.keeps = keeps;
    }

    /// <summary>The KL term's weight (beta-VAE); 1 is the ELBO.</summary>
    public double Beta { get; init; } = 1;

    /// <summary>
    /// K of the importance-weighted bound, whose rows are each image's K consecutive samples;
    /// 0 for the ELBO.
    /// </summary>
    public int ImportanceSamples { get; init; }

    /// <summary>(B, C) one-hot labels of the conditional VAE; null for the plain VAE.</summary>
    public double[]? Labels { get; init; }

    /// <summary>
    /// The mean over the batch of BCE + beta * KL; or, with <see cref="ImportanceSamples"/>,
    /// the mean over images of -log (1/K sum_k exp(log p(x | z_k) + log p(z_k) - log q(z_k | x))),
    /// with log p(z) - log q(z | x) = sum_j [log sigma + (eps^2 - z^2) / 2] written out from
    /// the two densities. Parameters in Vae.Parameters order.
    /// </summary>
    public double Loss(IReadOnlyList<double[]> p)
    {
        int z = config.Latent;
        var spec = config.Layers;
        // Parameters in Vae.Parameters order: a labelled layer's weight, bias, label weight.
        int next = 0;
        double[] Layer(double[] input, int inputs, int outputs, bool labelled)
        {
            var (weight, bias) = (p[next], p[next + 1]);
            next += 2;
            if (labelled && Labels is not null)
            {
                double[] stacked = [.. weight, .. p[next++]];
                return Dense(Concatenate(input, inputs, Labels, config.Classes), stacked, bias, inputs + config.Classes, outputs);
            }

            return Dense(input, weight, bias, inputs, outputs);
        }

        var encoded = x;
        foreach (var layer in spec.EncoderHidden)
        {
            encoded = Hidden(Layer(encoded, layer.Inputs, layer.Outputs, layer.ReadsLabel), layer.Activation!.Value, layer.DropoutSlot!.Value);
        }

        var gaussian = Layer(encoded, spec.GaussianHead.Inputs, 2 * z, labelled: false);
        var mu = new double[batch * z];
        var sigma = new double[batch * z];
        var latent = new double[batch * z];
        for (int b = 0; b < batch; b++)
        {
            for (int j = 0; j < z; j++)
            {
                mu[(b * z) + j] = gaussian[(b * 2 * z) + j];
                sigma[(b * z) + j] = 1e-6 + Activations.ForwardReference(Activation.Softplus, gaussian[(b * 2 * z) + z + j]);
                latent[(b * z) + j] = mu[(b * z) + j] + (sigma[(b * z) + j] * eps[(b * z) + j]);
            }
        }

        var decoded = latent;
        foreach (var layer in spec.DecoderHidden)
        {
            decoded = Hidden(Layer(decoded, layer.Inputs, layer.Outputs, layer.ReadsLabel), layer.Activation!.Value, layer.DropoutSlot!.Value);
        }

        int d = config.Pixels;
        var logits = Layer(decoded, spec.Output.Inputs, d, labelled: false);
        double total = 0;
        var rowBce = new double[batch];
        for (int i = 0; i < logits.Length; i++)
        {
            double probability = Math.Clamp(Activations.ForwardReference(Activation.Sigmoid, logits[i]), 1e-8, 1 - 1e-8);
            double term = (target[i] * Math.Log(probability)) + ((1 - target[i]) * Math.Log(1 - probability));
            total -= term;
            rowBce[i / d] -= term;
        }

        if (ImportanceSamples > 0)
        {
            return ImportanceWeightedLoss(rowBce, mu, sigma, latent, z);
        }

        for (int i = 0; i < mu.Length; i++)
        {
            total += Beta * 0.5 * ((mu[i] * mu[i]) + (sigma[i] * sigma[i]) - Math.Log(1e-8 + (sigma[i] * sigma[i])) - 1);
        }

        return total / batch;
    }

    private double ImportanceWeightedLoss(double[] rowBce, double[] mu, double[] sigma, double[] latent, int z)
    {
        int k = ImportanceSamples;
        var logWeight = new double[batch];
        for (int r = 0; r < batch; r++)
        {
            // log N(z; 0, I) - log N(z; mu, sigma^2): the 2 pi terms cancel.
            double logPrior = 0, logPosterior = 0;
            for (int j = 0; j < z; j++)
            {
                int i = (r * z) + j;
                double standardized = (latent[i] - mu[i]) / sigma[i];
                logPrior -= latent[i] * latent[i] / 2;
                logPosterior -= Math.Log(sigma[i]) + (standardized * standardized / 2);
            }

            logWeight[r] = -rowBce[r] + logPrior - logPosterior;
        }

        double total = 0;
        for (int image = 0; image < batch / k; image++)
        {
            var weights = logWeight.AsSpan(image * k, k);
            double largest = double.NegativeInfinity;
            foreach (double value in weights)
            {
                largest = Math.Max(largest, value);
            }

            double sum = 0;
            foreach (double value in weights)
            {
                sum += Math.Exp(value - largest);
            }

            total -= largest + Math.Log(sum / k);
        }

        return total / (batch / k);
    }

    /// <summary>Rows [a_b, c_b] of a (B, n) and c (B, m): (B, n + m).</summary>
    private double[] Concatenate(double[] a, int n, double[] c, int m)
    {
        var y = new double[batch * (n + m)];
        for (int b = 0; b < batch; b++)
        {
            Array.Copy(a, b * n, y, b * (n + m), n);
            Array.Copy(c, b * m, y, (b * (n + m)) + n, m);
        }

        return y;
    }

    private double[] Dense(double[] input, double[] weight, double[] bias, int inputs, int outputs)
    {
        var y = new double[batch * outputs];
        for (int b = 0; b < batch; b++)
        {
            for (int o = 0; o < outputs; o++)
            {
                double sum = bias[o];
                for (int i = 0; i < inputs; i++)
                {
                    sum += input[(b * inputs) + i] * weight[(i * outputs) + o];
                }

                y[(b * outputs) + o] = sum;
            }
        }

        return y;
    }

    private double[] Hidden(double[] pre, Activation activation, int slot)
    {
        var y = new double[pre.Length];
        for (int i = 0; i < pre.Length; i++)
        {
            double value = Activations.ForwardReference(activation, pre[i]);
            y[i] = keepProbability >= 1 ? value : keeps(slot, i) ? value / keepProbability : 0;
        }

        return y;
    }
}
