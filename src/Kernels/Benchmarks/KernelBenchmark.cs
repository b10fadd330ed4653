using GpuVae.Kernels.Host;
using GpuVae.Kernels.Ilgpu;

namespace GpuVae.Kernels.Benchmarks;

/// <summary>
/// Times every GEMM of one training step and the main elementwise kernels at the model's
/// shapes (B = 128, D = 784, H = 500, latent Z) on a backend.
/// </summary>
public static class KernelBenchmark
{
    private const int Batch = 128;
    private const int Pixels = 784;
    private const int Hidden = 500;

    /// <summary>Calls queued between synchronizes for the back-to-back time: enough that one synchronize's latency is noise.</summary>
    private const int LaunchesPerSync = 20;

    /// <summary>(layer, M, N, K, transpose A, transpose B) of every GEMM one step runs.</summary>
    public static IEnumerable<(string Layer, int M, int N, int K, bool TransposeA, bool TransposeB)> StepGemms(int latent)
    {
        // Forward, y = x W: (B, in) x (in, out).
        foreach (var (layer, inputs, outputs) in Layers(latent))
        {
            yield return (layer, Batch, outputs, inputs, false, false);
        }

        // Backward, dx = dy W^T for every layer but the first, and dW = x^T dy for every layer.
        foreach (var (layer, inputs, outputs) in Layers(latent).Skip(1))
        {
            yield return (layer, Batch, inputs, outputs, false, true);
        }

        foreach (var (layer, inputs, outputs) in Layers(latent))
        {
            yield return (layer, inputs, outputs, Batch, true, false);
        }
    }

    /// <param name="variants">ILGPU GEMM kernels to time besides the default one, at every shape.</param>
    public static IReadOnlyList<KernelTiming> Run(IBackend backend, int latent, int warmups, int repeats, int seed, IReadOnlyList<GemmVariant> variants)
    {
        var random = new Random(seed);
        var timings = new List<KernelTiming>();
        foreach (var (layer, m, n, k, transposeA, transposeB) in StepGemms(latent))
        {
            using var a = Random(backend, random, transposeA ? k : m, transposeA ? m : k);
            using var b = Random(backend, random, transposeB ? n : k, transposeB ? k : n);
            using var c = backend.Allocate(m, n);
            string name = $"gemm_{(transposeA ? 't' : 'n')}{(transposeB ? 't' : 'n')}";
            var runs = new List<(string Variant, Action Run)> { ("default", () => backend.Gemm(c, a, transposeA, b, transposeB, 1, 0)) };
            if (backend is IlgpuBackend ilgpu)
            {
                runs.AddRange(variants.Select(v => (v.ToString(), (Action)(() => ilgpu.Gemm(v, c, a, transposeA, b, transposeB, 1, 0)))));
            }

            foreach (var (variant, run) in runs)
            {
                double ms = Timing.MedianMilliseconds(backend, run, warmups, repeats);
                double backToBack = Timing.MedianMilliseconds(backend, run, warmups, BackToBackRepeats(repeats), LaunchesPerSync);
                // 2 M N K flops: one multiply and one add per term.
                double gflops = 2.0 * m * n * k / (backToBack * 1e6);
                timings.Add(new KernelTiming(name, variant, layer, m, n, k, ms, backToBack, gflops, 0));
            }
        }

        using var x = Random(backend, random, Batch, Hidden);
        using var y = backend.Allocate(Batch, Hidden);
        using var dropped = backend.Allocate(Batch, Hidden);
        using var dy = Random(backend, random, Batch, Hidden);
        using var bias = Random(backend, random, 1, Hidden);
        // Probabilities and targets in [0, 1], as the model's; the gradient gets its own tensor,
        // since written over p it would feed the next call values no step sees.
        using var pixelsP = Random(backend, random, Batch, Pixels, low: 0);
        using var pixelsT = Random(backend, random, Batch, Pixels, low: 0);
        using var pixelsGradient = backend.Allocate(Batch, Pixels);
        using var perImage = backend.Allocate(Batch, 1);
        // Adam over one (D, H) weight; in a step it runs once over a block of every parameter.
        (int Rows, int Cols)[] weight = [(Pixels, Hidden)];
        using var parameters = backend.AllocateBlock(weight);
        using var m1 = backend.AllocateBlock(weight);
        using var m2 = backend.AllocateBlock(weight);
        using var gradient = backend.AllocateBlock(weight);
        backend.Upload(parameters.Parts[0], RandomValues(random, Pixels * Hidden));
        backend.Upload(gradient.Parts[0], RandomValues(random, Pixels * Hidden));
        long step = 0;
        // Bytes moved: every tensor read or written once, 4 bytes an element (the fused forward
        // epilogues read x and write it back with the bias added, so x counts twice).
        var elementwise = new List<(string Name, string Variant, Tensor Shape, int Tensors, Action Run)>
        {
            ("bias_add", "default", y, 2, () => backend.AddBias(y, bias)),
            ("bias_sigmoid_forward", "default", y, 3, () => backend.BiasActivationForward(Activation.Sigmoid, y, x, bias)),
            ("bias_tanh_dropout_forward", "default", y, 4, () => backend.BiasActivationDropoutForward(Activation.Tanh, dropped, y, x, bias, 0.9f, 1, 2)),
            ("elu_backward", "default", y, 4, () => backend.ActivationBackward(Activation.Elu, y, dy, x, x)),
            ("dropout_elu_backward", "default", y, 4, () => backend.DropoutActivationBackward(Activation.Elu, y, dy, x, x, 0.9f, 1, 2)),
        };

        // The host's narrower Philox generators beside the one it picked: what each width buys.
        if (backend is HostBackend host)
        {
            foreach (var isa in Enum.GetValues<HostPhiloxIsa>().Where(i => i != HostPhilox.BestIsa && HostPhilox.IsSupported(i)))
            {
                elementwise.Add((
                    "bias_tanh_dropout_forward", isa.ToString(), y, 4,
                    () => host.BiasActivationDropoutForward(isa, Activation.Tanh, dropped, y, x, bias, 0.9f, 1, 2)));
            }
        }

        elementwise.AddRange(
        [
            ("bias_gradient", "default", y, 1, () => backend.SumColumns(bias, dy, 1)),
            ("bce_forward", "default", pixelsP, 2, () => backend.BinaryCrossEntropy(perImage, pixelsP, pixelsT)),
            ("bce_backward", "default", pixelsP, 3, () => backend.BinaryCrossEntropyBackward(pixelsGradient, pixelsP, pixelsT, 1f / Batch)),
            ("adam", "default", parameters.Parts[0], 7, () => backend.AdamUpdate(parameters, m1, m2, gradient, AdamStep.Default(1e-3f, ++step))),
        ]);
        foreach (var (name, variant, shape, tensors, run) in elementwise)
        {
            double ms = Timing.MedianMilliseconds(backend, run, warmups, repeats);
            double backToBack = Timing.MedianMilliseconds(backend, run, warmups, BackToBackRepeats(repeats), LaunchesPerSync);
            double gigabytes = (double)tensors * shape.Length * sizeof(float) / 1e9;
            timings.Add(new KernelTiming(name, variant, string.Empty, shape.Rows, shape.Cols, 0, ms, backToBack, 0, gigabytes / (backToBack / 1000)));
        }

        return timings;
    }

    /// <summary>As many calls back to back as synchronized, so the second timing costs no more than the first.</summary>
    private static int BackToBackRepeats(int repeats) => Math.Max(3, repeats / LaunchesPerSync);

    private static (string Layer, int Inputs, int Outputs)[] Layers(int latent) =>
    [
        ("encoder.hidden0", Pixels, Hidden),
        ("encoder.hidden1", Hidden, Hidden),
        ("encoder.output", Hidden, 2 * latent),
        ("decoder.hidden0", latent, Hidden),
        ("decoder.hidden1", Hidden, Hidden),
        ("decoder.output", Hidden, Pixels),
    ];

    private static Tensor Random(IBackend backend, Random random, int rows, int cols, float low = -1)
    {
        var tensor = backend.Allocate(rows, cols);
        backend.Upload(tensor, RandomValues(random, rows * cols, low));
        return tensor;
    }

    /// <summary>Uniform in [low, 1).</summary>
    private static float[] RandomValues(Random random, int length, float low = -1)
    {
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(low + (random.NextDouble() * (1 - low)));
        }

        return values;
    }
}
