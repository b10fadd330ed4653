using GpuVae.Kernels.Operations;

namespace GpuVae.Kernels.Benchmarks;

/// <summary>
/// Times every GEMM of one training step and the main elementwise kernels at a model's
/// shapes, which the model supplies (GpuVae.Model's TrainingStep.Gemms): B batch, D pixels,
/// H hidden units.
/// </summary>
public static class KernelBenchmark
{
    /// <summary>Calls queued between synchronizes for the back-to-back time: enough that one synchronize's latency is noise.</summary>
    private const int LaunchesPerSync = 20;

    /// <param name="everyKernel">Also time every other kernel the backend can pick for an operation (<see cref="Backend.Choices"/>).</param>
    public static IReadOnlyList<KernelTiming> Run(
        Backend backend, IReadOnlyList<GemmCall> gemms, int batch, int pixels, int hidden, int warmups, int repeats, int seed, bool everyKernel)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(gemms);
        var random = new Random(seed);
        var timings = new List<KernelTiming>();
        foreach (var gemm in gemms)
        {
            var (_, m, n, k, transposeA, transposeB) = gemm;
            using var a = Random(backend, random, transposeA ? k : m, transposeA ? m : k);
            using var b = Random(backend, random, transposeB ? n : k, transposeB ? k : n);
            using var c = backend.Allocate(m, n);
            foreach (string variant in Kernels(backend, OperationName.Gemm, everyKernel))
            {
                var (ms, backToBack) = Time(backend, OperationName.Gemm, variant, () => backend.Gemm(c, a, transposeA, b, transposeB, 1, 0), warmups, repeats);
                // 2 M N K flops: one multiply and one add per term.
                double gflops = 2.0 * m * n * k / (backToBack * 1e6);
                timings.Add(new KernelTiming($"gemm_{(transposeA ? 't' : 'n')}{(transposeB ? 't' : 'n')}", variant, gemm.Layer, m, n, k, ms, backToBack, gflops, 0));
            }
        }

        using var x = Random(backend, random, batch, hidden);
        using var y = backend.Allocate(batch, hidden);
        using var dropped = backend.Allocate(batch, hidden);
        using var dy = Random(backend, random, batch, hidden);
        using var bias = Random(backend, random, 1, hidden);
        // Probabilities and targets in [0, 1], as the model's; the gradient gets its own tensor,
        // since written over p it would feed the next call values no step sees.
        using var pixelsP = Random(backend, random, batch, pixels, low: 0);
        using var pixelsT = Random(backend, random, batch, pixels, low: 0);
        using var pixelsGradient = backend.Allocate(batch, pixels);
        using var perImage = backend.Allocate(batch, 1);
        // Adam over one (D, H) weight; in a step it runs once over a block of every parameter.
        (int Rows, int Cols)[] weight = [(pixels, hidden)];
        using var parameters = backend.AllocateBlock(weight);
        using var m1 = backend.AllocateBlock(weight);
        using var m2 = backend.AllocateBlock(weight);
        using var gradient = backend.AllocateBlock(weight);
        backend.Upload(parameters.Parts[0], RandomValues(random, pixels * hidden));
        backend.Upload(gradient.Parts[0], RandomValues(random, pixels * hidden));
        using var step = backend.AllocateStepValues(1);
        step.SetStream(2, 2);
        step.SetAdam(AdamStep.Default(1e-3f, 1));
        backend.UploadStepValues(step);
        var dropout = new RandomStream(step, 2);
        // Bytes moved: every tensor read or written once, 4 bytes an element (the fused forward
        // epilogues read x and write it back with the bias added, so x counts twice).
        var elementwise = new (string Name, string Operation, Tensor Shape, int Tensors, Action Run)[]
        {
            (OperationName.BiasAdd, OperationName.BiasAdd, y, 2, () => backend.AddBias(y, bias)),
            ("bias_sigmoid_forward", OperationName.BiasActivationForward, y, 3, () => backend.BiasActivationForward(Activation.Sigmoid, y, x, bias)),
            ("bias_tanh_dropout_forward", OperationName.BiasActivationDropoutForward, y, 4, () => backend.BiasActivationDropoutForward(Activation.Tanh, dropped, y, x, bias, 0.9f, 1, dropout)),
            ("elu_backward", OperationName.ActivationBackward, y, 4, () => backend.ActivationBackward(Activation.Elu, y, dy, x, x)),
            ("dropout_elu_backward", OperationName.DropoutActivationBackward, y, 4, () => backend.DropoutActivationBackward(Activation.Elu, y, dy, x, x, 0.9f, 1, dropout)),
            ("bias_gradient", OperationName.SumColumns, y, 1, () => backend.SumColumns(bias, dy, 1)),
            (OperationName.BceForward, OperationName.BceForward, pixelsP, 2, () => backend.BinaryCrossEntropy(perImage, pixelsP, pixelsT)),
            (OperationName.BceBackward, OperationName.BceBackward, pixelsP, 3, () => backend.BinaryCrossEntropyBackward(pixelsGradient, pixelsP, pixelsT, 1f / batch)),
            (OperationName.Adam, OperationName.Adam, parameters.Parts[0], 7, () => backend.AdamUpdate(parameters, m1, m2, gradient, step)),
        };
        foreach (var (name, operation, shape, tensors, run) in elementwise)
        {
            foreach (string variant in Kernels(backend, operation, everyKernel))
            {
                var (ms, backToBack) = Time(backend, operation, variant, run, warmups, repeats);
                double gigabytes = (double)tensors * shape.Length * sizeof(float) / 1e9;
                timings.Add(new KernelTiming(name, variant, string.Empty, shape.Rows, shape.Cols, 0, ms, backToBack, 0, gigabytes / (backToBack / 1000)));
            }
        }

        return timings;
    }

    /// <summary>"default" (what training runs), then, when asked, every other kernel the backend can pick for the operation.</summary>
    private static IEnumerable<string> Kernels(Backend backend, string operation, bool everyKernel)
    {
        yield return "default";
        var choice = backend.Choices.FirstOrDefault(choice => choice.Operations.Contains(operation));
        if (everyKernel && choice is not null)
        {
            foreach (string kernel in choice.Kernels.Where(kernel => kernel != choice.Selected && !choice.IsSlow(kernel)))
            {
                yield return kernel;
            }
        }
    }

    /// <summary>One call synchronized, and per call of many queued back to back, with the named kernel selected.</summary>
    private static (double Milliseconds, double BackToBack) Time(Backend backend, string operation, string variant, Action run, int warmups, int repeats)
    {
        var choice = variant == "default" ? null : backend.Choices.First(choice => choice.Operations.Contains(operation));
        using (choice?.Select(variant))
        {
            return (
                Timing.MedianMilliseconds(backend, run, warmups, repeats),
                Timing.MedianMilliseconds(backend, run, warmups, BackToBackRepeats(repeats), LaunchesPerSync));
        }
    }

    /// <summary>As many calls back to back as synchronized, so the second timing costs no more than the first.</summary>
    private static int BackToBackRepeats(int repeats) => Math.Max(3, repeats / LaunchesPerSync);

    private static Tensor Random(Backend backend, Random random, int rows, int cols, float low = -1)
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
