using GpuVae.Kernels.Verification;

namespace GpuVae.Kernels.Benchmarks;

/// <summary>
/// Times every GEMM of one training step at its shapes, which the model supplies (GpuVae.Model's
/// TrainingStep.Gemms), then every other operation of the table of kernel cases
/// (<see cref="KernelCases.Timed"/>): at the model's shapes where it runs on them (B batch,
/// D pixels, H hidden units), else at its largest case.
/// </summary>
public static class KernelBenchmark
{
    /// <summary>Calls queued between synchronizes for the back-to-back time: enough that one synchronize's latency is noise.</summary>
    public const int LaunchesPerSync = 20;

    /// <summary>The variant name of the kernel training runs, beside the others --variants times.</summary>
    public const string DefaultVariant = "default";

    /// <param name="everyKernel">Also time every other kernel the backend can pick for an operation (<see cref="Backend.Choices"/>).</param>
    /// <param name="minimumWarmup">At least this long warming up each timing (<see cref="Timing.MinimumWarmup"/> when null); tests pass zero.</param>
    public static IReadOnlyList<KernelTiming> Run(
        Backend backend, IReadOnlyList<GemmCall> gemms, int batch, int pixels, int hidden, int warmups, int repeats, int seed, bool everyKernel, TimeSpan? minimumWarmup = null)
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
                var (ms, backToBack) = Time(backend, OperationName.Gemm, variant, () => backend.Gemm(c, a, transposeA, b, transposeB, 1, 0), warmups, repeats, minimumWarmup);
                // 2 M N K flops: one multiply and one add per term.
                double gflops = 2.0 * m * n * k / (backToBack * 1e6);
                timings.Add(new KernelTiming($"gemm_{(transposeA ? 't' : 'n')}{(transposeB ? 't' : 'n')}", OperationName.Gemm, variant, gemm.Layer, m, n, k, ms, backToBack, gflops, 0));
            }
        }

        // Every other operation of the table of kernel cases (the GEMM is timed above, at the
        // step's own shapes), through the case's own code: its inputs built as the check builds
        // them, its one launch timed with each kernel, its outputs then ignored.
        foreach (var kernelCase in KernelCases.Timed(batch, pixels, hidden).Where(c => c.Operation != OperationName.Gemm))
        {
            var work = kernelCase.Work;
            var context = new KernelCaseContext(backend, random, operation =>
            {
                foreach (string variant in Kernels(backend, kernelCase.Operation, everyKernel))
                {
                    var (ms, backToBack) = Time(backend, kernelCase.Operation, variant, operation, warmups, repeats, minimumWarmup);
                    double gigabytes = work.Bytes / 1e9;
                    timings.Add(new KernelTiming(
                        kernelCase.TimingName, kernelCase.Operation, variant, string.Empty, work.Rows, work.Cols, 0, ms, backToBack, 0, gigabytes / (backToBack / 1000)));
                }
            });
            kernelCase.Run(context);
        }

        return timings;
    }

    /// <summary>"default" (what training runs), then, when asked, every other kernel the backend can pick for the operation.</summary>
    private static IEnumerable<string> Kernels(Backend backend, string operation, bool everyKernel)
    {
        yield return DefaultVariant;
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
    private static (double Milliseconds, double BackToBack) Time(
        Backend backend, string operation, string variant, Action run, int warmups, int repeats, TimeSpan? minimumWarmup)
    {
        var choice = variant == DefaultVariant ? null : backend.Choices.First(choice => choice.Operations.Contains(operation));
        using (choice?.Select(variant))
        {
            return (
                Timing.MedianMilliseconds(backend, run, warmups, repeats, minimumWarmup: minimumWarmup),
                Timing.MedianMilliseconds(backend, run, warmups, BackToBackRepeats(repeats), LaunchesPerSync, minimumWarmup));
        }
    }

    /// <summary>As many calls back to back as synchronized, so the second timing costs no more than the first.</summary>
    private static int BackToBackRepeats(int repeats) => Math.Max(3, repeats / LaunchesPerSync);

    /// <summary>Uniform in [-1, 1).</summary>
    internal static Tensor Random(Backend backend, Random random, int rows, int cols)
    {
        var values = new float[rows * cols];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(-1 + (random.NextDouble() * 2));
        }

        var tensor = backend.Allocate(rows, cols);
        backend.Upload(tensor, values);
        return tensor;
    }
}
