using System.Globalization;

namespace GpuVae.Kernels.Verification;

/// <summary>
/// Runs every <see cref="IBackend"/> operation at several shapes against the plain .NET
/// references and reports the largest error of each: how a user verifies their own device.
/// The error of an element is |actual - expected| / max(1, |expected|): relative for values of
/// size one and more, absolute below, so values near zero do not inflate it.
/// </summary>
public static class KernelCheck
{
    // float32 sums over K = 784 products in [-1, 1]: ~3e-5 of rounding on random signs.
    private const double GemmTolerance = 1e-4;

    // float32 per-row sums of up to 784 loss terms against double sums.
    private const double RowSumTolerance = 1e-4;

    // float32 transcendental functions against double: a few ulp (1e-5 is ~80).
    private const double TranscendentalTolerance = 1e-5;

    // Box-Muller in float: log and cos errors scaled by a radius up to 5.8, and GPUs may use
    // approximate instructions for them.
    private const double NormalTolerance = 1e-4;

    // Copies, masks and single float operations the kernels do exactly as the references do:
    // a wrong mask bit shows up as an error near 1.
    private const double ExactTolerance = 1e-6;

    public static IReadOnlyList<KernelCheckRow> Run(IBackend backend, int seed)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var run = new Session(backend, new Random(seed));
        foreach (var (m, n, k, transposeA, transposeB) in new[]
        {
            (1, 1, 1, false, false), (33, 7, 17, true, true),
            (128, 500, 784, false, false), (128, 784, 500, false, true), (784, 500, 128, true, false),
        })
        {
            run.Gemm(m, n, k, transposeA, transposeB);
        }

        foreach (var (rows, cols) in new[] { (1, 1), (7, 33), (128, 784) })
        {
            run.Elementwise(rows, cols);
            run.Losses(rows, cols);
        }

        foreach (var (rows, latent) in new[] { (1, 1), (33, 7), (128, 100) })
        {
            run.Sampling(rows, latent);
        }

        return run.Rows;
    }

    /// <summary>One check run: the backend, the random source and the rows so far.</summary>
    private sealed class Session(IBackend backend, Random random)
    {
        public List<KernelCheckRow> Rows { get; } = [];

        public void Gemm(int m, int n, int k, bool transposeA, bool transposeB)
        {
            float[] a = Uniform(m * k);
            float[] b = Uniform(k * n);
            float[] c = Uniform(m * n);
            float alpha = Uniform(1)[0];
            foreach (float beta in new[] { 0f, 0.5f })
            {
                float[] expected = (float[])c.Clone();
                Kernels.Gemm.Reference(expected, a, transposeA, b, transposeB, alpha, beta, m, n, k);
                using var left = Upload(a, transposeA ? k : m, transposeA ? m : k);
                using var right = Upload(b, transposeB ? n : k, transposeB ? k : n);
                string ops = $"{(transposeA ? 'T' : 'N')}{(transposeB ? 'T' : 'N')}";
                foreach (var (variant, gemm) in Gemms())
                {
                    using var output = beta == 0 ? Poisoned(m, n) : Upload(c, m, n);
                    gemm(output, left, transposeA, right, transposeB, alpha, beta);
                    Add($"gemm {ops} beta {beta.ToString(CultureInfo.InvariantCulture)}{variant}", $"({m}, {n}, {k})", expected, output, GemmTolerance);
                }
            }
        }

        /// <summary>
        /// The backend's GEMM, and on ILGPU every kernel a benchmark may time or a user may
        /// pick there, each named: a kernel that is timed has been checked on the same device.
        /// </summary>
        private IEnumerable<(string Variant, Action<Tensor, Tensor, bool, Tensor, bool, float, float> Gemm)> Gemms() =>
            backend is Ilgpu.IlgpuBackend ilgpu
                ? ilgpu.UsableGemms.Select(variant => (
                    $" {variant.ToString().ToLowerInvariant()}",
                    (Action<Tensor, Tensor, bool, Tensor, bool, float, float>)((c, a, ta, b, tb, alpha, beta) => ilgpu.Gemm(variant, c, a, ta, b, tb, alpha, beta))))
                : [(string.Empty, backend.Gemm)];

        public void Elementwise(int rows, int cols)
        {
            string shape = $"({rows}, {cols})";
            int length = rows * cols;
            float[] x = Uniform(length);
            using var input = Upload(x, rows, cols);

            float[] filled = new float[length];
            Memory.FillReference(filled, 0.25f, length);
            using var fillOutput = Poisoned(rows, cols);
            backend.Fill(fillOutput, 0.25f);
            Add("fill", shape, filled, fillOutput, ExactTolerance);

            using var copyOutput = Poisoned(rows, cols);
            backend.Copy(copyOutput, input);
            Add("copy", shape, x, copyOutput, ExactTolerance);

            int[] picked = Enumerable.Range(0, rows).Select(_ => random.Next(rows)).ToArray();
            float[] gathered = new float[length];
            Memory.GatherRowsReference(gathered, x, picked, cols);
            using var gatherOutput = Poisoned(rows, cols);
            backend.GatherRows(gatherOutput, input, picked);
            Add("gather rows", shape, gathered, gatherOutput, ExactTolerance);

            float[] bias = Uniform(cols);
            float[] biased = (float[])x.Clone();
            Bias.AddReference(biased, bias, rows, cols);
            using var biasInput = Upload(bias, 1, cols);
            using var biasOutput = Upload(x, rows, cols);
            backend.AddBias(biasOutput, biasInput);
            Add("add bias", shape, biased, biasOutput, ExactTolerance);

            float[] sums = new float[cols];
            Reductions.SumColumnsReference(sums, x, 0.5f, rows, cols);
            using var sumOutput = Poisoned(1, cols);
            backend.SumColumns(sumOutput, input, 0.5f);
            Add("sum columns", shape, sums, sumOutput, RowSumTolerance);

            float[] dy = Uniform(length);
            using var gradient = Upload(dy, rows, cols);
            ulong seed = (ulong)random.NextInt64();
            foreach (var activation in Enum.GetValues<Activation>())
            {
                string name = activation.ToString().ToLowerInvariant();
                float[] pre = (float[])x.Clone();
                float[] y = new float[length];
                Epilogues.ForwardReference(activation, y, pre, bias, rows, cols);
                using var preOutput = Upload(x, rows, cols);
                using var forward = Poisoned(rows, cols);
                backend.BiasActivationForward(activation, forward, preOutput, biasInput);
                Add($"bias {name} forward", shape, pre.Concat(y).ToArray(), Download(preOutput).Concat(Download(forward)).ToArray(), TranscendentalTolerance);

                float[] dropped = new float[length];
                pre = (float[])x.Clone();
                Epilogues.DropoutForwardReference(activation, dropped, y, pre, bias, 0.8f, seed, 1, rows, cols);
                using var dropPre = Upload(x, rows, cols);
                using var dropPost = Poisoned(rows, cols);
                using var dropOutput = Poisoned(rows, cols);
                backend.BiasActivationDropoutForward(activation, dropOutput, dropPost, dropPre, biasInput, 0.8f, seed, 1);
                Add(
                    $"bias {name} dropout forward", shape, pre.Concat(y).Concat(dropped).ToArray(),
                    Download(dropPre).Concat(Download(dropPost)).Concat(Download(dropOutput)).ToArray(), TranscendentalTolerance);

                // Backward takes the reference's x and y = f(x), so only its own error shows.
                using var exactPre = Upload(pre, rows, cols);
                using var exactPost = Upload(y, rows, cols);
                float[] dx = new float[length];
                Activations.BackwardReference(activation, dx, dy, pre, y, length);
                using var backward = Poisoned(rows, cols);
                backend.ActivationBackward(activation, backward, gradient, exactPre, exactPost);
                Add($"{name} backward", shape, dx, backward, TranscendentalTolerance);

                Epilogues.DropoutBackwardReference(activation, dx, dy, pre, y, 0.8f, seed, 1, length);
                using var dropBackward = Poisoned(rows, cols);
                backend.DropoutActivationBackward(activation, dropBackward, gradient, exactPre, exactPost, 0.8f, seed, 1);
                Add($"dropout {name} backward", shape, dx, dropBackward, TranscendentalTolerance);
            }

            float[] corrupted = new float[length];
            Kernels.Sampling.SaltAndPepperReference(corrupted, x, 0.3f, seed, 2, length);
            using var corruptOutput = Poisoned(rows, cols);
            backend.SaltAndPepper(corruptOutput, input, 0.3f, seed, 2);
            Add("salt and pepper", shape, corrupted, corruptOutput, ExactTolerance);

            // Adam runs over a block: a weight and a bias after it, so the bias starts at an offset.
            (int Rows, int Cols)[] layout = [(rows, cols), (1, cols)];
            int blockLength = length + cols;
            var step = AdamStep.Default(1e-3f, 10);
            float[] parameters = Uniform(blockLength);
            float[] m = Uniform(blockLength, 0.1f);
            float[] v = Uniform(blockLength, 0.01f).Select(Math.Abs).ToArray();
            float[] g = Uniform(blockLength);
            using var pBlock = Upload(parameters, layout);
            using var mBlock = Upload(m, layout);
            using var vBlock = Upload(v, layout);
            using var gBlock = Upload(g, layout);
            Adam.UpdateReference(parameters, m, v, g, step, blockLength);
            backend.AdamUpdate(pBlock, mBlock, vBlock, gBlock, step);
            Add("adam parameters", shape, parameters, Download(pBlock), TranscendentalTolerance);
            Add("adam moments", shape, m.Concat(v).ToArray(), Download(mBlock).Concat(Download(vBlock)).ToArray(), TranscendentalTolerance);
        }

        public void Losses(int rows, int cols)
        {
            string shape = $"({rows}, {cols})";
            int length = rows * cols;
            // Probabilities in [0, 1] with exact 0s and 1s so the clamp is exercised.
            float[] p = Uniform(length).Select((value, i) => i % 7 == 0 ? (i % 14 == 0 ? 0 : 1) : Math.Abs(value)).ToArray();
            float[] t = Uniform(length).Select(Math.Abs).ToArray();
            using var pDevice = Upload(p, rows, cols);
            using var tDevice = Upload(t, rows, cols);

            float[] loss = new float[rows];
            Kernels.Losses.BinaryCrossEntropyReference(loss, p, t, rows, cols);
            using var lossOutput = Poisoned(rows, 1);
            backend.BinaryCrossEntropy(lossOutput, pDevice, tDevice);
            Add("bce", shape, loss, lossOutput, RowSumTolerance);

            float[] dLogits = new float[length];
            Kernels.Losses.BinaryCrossEntropyBackwardReference(dLogits, p, t, 0.5f, length);
            using var dOutput = Poisoned(rows, cols);
            backend.BinaryCrossEntropyBackward(dOutput, pDevice, tDevice, 0.5f);
            Add("bce backward", shape, dLogits, dOutput, ExactTolerance);
        }

        public void Sampling(int rows, int latent)
        {
            string shape = $"({rows}, {latent})";
            int length = rows * latent;
            float[] h = Uniform(2 * length, 5);
            using var head = Upload(h, rows, 2 * latent);
            float[] mu = new float[length];
            float[] sigma = new float[length];
            Kernels.Sampling.GaussianHeadReference(mu, sigma, h, rows, latent);
            using var muDevice = Poisoned(rows, latent);
            using var sigmaDevice = Poisoned(rows, latent);
            backend.GaussianHead(muDevice, sigmaDevice, head);
            Add("gaussian head", shape, mu.Concat(sigma).ToArray(), Download(muDevice).Concat(Download(sigmaDevice)).ToArray(), TranscendentalTolerance);

            float[] dMu = Uniform(length);
            float[] dSigma = Uniform(length);
            float[] dh = new float[2 * length];
            Kernels.Sampling.GaussianHeadBackwardReference(dh, dMu, dSigma, h, rows, latent);
            using var dMuDevice = Upload(dMu, rows, latent);
            using var dSigmaDevice = Upload(dSigma, rows, latent);
            using var dhDevice = Poisoned(rows, 2 * latent);
            backend.GaussianHeadBackward(dhDevice, dMuDevice, dSigmaDevice, head);
            Add("gaussian head backward", shape, dh, dhDevice, TranscendentalTolerance);

            ulong seed = (ulong)random.NextInt64();
            float[] z = new float[length];
            float[] eps = new float[length];
            Kernels.Sampling.ReparameterizeReference(z, eps, mu, sigma, seed, 3, length);
            using var exactMu = Upload(mu, rows, latent);
            using var exactSigma = Upload(sigma, rows, latent);
            using var zDevice = Poisoned(rows, latent);
            using var epsDevice = Poisoned(rows, latent);
            backend.Reparameterize(zDevice, epsDevice, exactMu, exactSigma, seed, 3);
            Add("reparameterize", shape, z.Concat(eps).ToArray(), Download(zDevice).Concat(Download(epsDevice)).ToArray(), NormalTolerance);

            float[] dz = Uniform(length);
            float[] dMuExpected = new float[length];
            float[] dSigmaExpected = new float[length];
            Kernels.Sampling.ReparameterizeBackwardReference(dMuExpected, dSigmaExpected, dz, eps, length);
            using var dzDevice = Upload(dz, rows, latent);
            using var exactEps = Upload(eps, rows, latent);
            backend.ReparameterizeBackward(dMuDevice, dSigmaDevice, dzDevice, exactEps);
            Add("reparameterize backward", shape, dMuExpected.Concat(dSigmaExpected).ToArray(), Download(dMuDevice).Concat(Download(dSigmaDevice)).ToArray(), ExactTolerance);

            float[] kl = new float[rows];
            Kernels.Losses.KlDivergenceReference(kl, mu, sigma, rows, latent);
            using var klDevice = Poisoned(rows, 1);
            backend.KlDivergence(klDevice, exactMu, exactSigma);
            Add("kl", shape, kl, klDevice, RowSumTolerance);

            float[] dMuKl = (float[])dMu.Clone();
            float[] dSigmaKl = (float[])dSigma.Clone();
            Kernels.Losses.KlDivergenceBackwardReference(dMuKl, dSigmaKl, mu, sigma, 0.5f, length);
            using var dMuAccumulated = Upload(dMu, rows, latent);
            using var dSigmaAccumulated = Upload(dSigma, rows, latent);
            backend.KlDivergenceBackward(dMuAccumulated, dSigmaAccumulated, exactMu, exactSigma, 0.5f);
            Add("kl backward", shape, dMuKl.Concat(dSigmaKl).ToArray(), Download(dMuAccumulated).Concat(Download(dSigmaAccumulated)).ToArray(), TranscendentalTolerance);

            float[] logWeight = new float[rows];
            Kernels.Losses.LogPriorOverPosteriorReference(logWeight, z, eps, sigma, rows, latent);
            using var exactZ = Upload(z, rows, latent);
            using var weightDevice = Poisoned(rows, 1);
            backend.LogPriorOverPosterior(weightDevice, exactZ, exactEps, exactSigma);
            Add("log prior over posterior", shape, logWeight, weightDevice, RowSumTolerance);
        }

        private float[] Uniform(int length, float scale = 1)
        {
            var values = new float[length];
            for (int i = 0; i < length; i++)
            {
                values[i] = scale * ((2 * random.NextSingle()) - 1);
            }

            return values;
        }

        private Tensor Upload(float[] values, int rows, int cols)
        {
            var tensor = backend.Allocate(rows, cols);
            backend.Upload(tensor, values);
            return tensor;
        }

        private TensorBlock Upload(float[] values, IReadOnlyList<(int Rows, int Cols)> layout)
        {
            var block = backend.AllocateBlock(layout);
            int offset = 0;
            foreach (var part in block.Parts)
            {
                backend.Upload(part, values.AsSpan(offset, part.Length));
                offset += part.Length;
            }

            return block;
        }

        // NaN outputs: an element the kernel fails to write makes the error NaN, which fails.
        private Tensor Poisoned(int rows, int cols) => Upload(Enumerable.Repeat(float.NaN, rows * cols).ToArray(), rows, cols);

        private float[] Download(Tensor tensor)
        {
            var values = new float[tensor.Length];
            backend.Download(tensor, values);
            return values;
        }

        private float[] Download(TensorBlock block) => [.. block.Parts.SelectMany(Download)];

        private void Add(string kernel, string shape, float[] expected, Tensor actual, double tolerance) =>
            Add(kernel, shape, expected, Download(actual), tolerance);

        private void Add(string kernel, string shape, float[] expected, float[] actual, double tolerance)
        {
            double worst = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                double error = Math.Abs((double)actual[i] - expected[i]) / Math.Max(1, Math.Abs((double)expected[i]));
                worst = double.IsNaN(error) || error > worst ? error : worst;
                if (double.IsNaN(worst))
                {
                    break;
                }
            }

            Rows.Add(new KernelCheckRow(kernel, shape, worst, tolerance));
        }
    }
}
