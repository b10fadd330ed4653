using GpuVae.Kernels;
using GpuVae.Kernels.Benchmarks;
using GpuVae.Kernels.Host;
using GpuVae.Kernels.Verification;
using Xunit;

namespace GpuVae.Tests.Kernels;

/// <summary>
/// `GpuVae bench` times the table of kernel cases, not a list of its own: a row added to the
/// table is timed with no other edit. Run at a few rows and columns, one warm-up and two repeats,
/// so that it costs a second, not a benchmark.
/// </summary>
public sealed class KernelBenchmarkTests
{
    private const int Batch = 3;
    private const int Pixels = 7;
    private const int Hidden = 5;

    private static IReadOnlyList<KernelTiming> Run(Backend backend) =>
        KernelBenchmark.Run(
            backend, [new GemmCall("test", 3, 5, 7, TransposeA: false, TransposeB: true)], Batch, Pixels, Hidden,
            warmups: 1, repeats: 2, seed: 1, everyKernel: true, minimumWarmup: TimeSpan.Zero);

    [Fact]
    public void BenchTimesEveryOperationOfTheTableWithEveryKernel()
    {
        using var backend = new HostBackend();
        var timings = Run(backend);

        Assert.Equal(KernelCases.Operations.Order(), timings.Select(t => t.Operation).Distinct().Order());
        foreach (var choice in backend.Choices)
        {
            foreach (string operation in choice.Operations.Where(KernelCases.Operations.Contains))
            {
                foreach (string kernel in choice.Kernels.Where(kernel => kernel != choice.Selected && !choice.IsSlow(kernel)))
                {
                    Assert.Contains(timings, t => t.Operation == operation && t.Variant == kernel);
                }
            }
        }

        Assert.All(timings, t => Assert.True(t.Milliseconds > 0 && t.BackToBackMilliseconds > 0, $"{t.Name} [{t.Variant}]: {t.Milliseconds} ms, {t.BackToBackMilliseconds} b2b ms"));
        Assert.All(timings.Where(t => t.Operation != OperationName.Gemm), t => Assert.True(t.GigabytesPerSecond > 0, $"{t.Name}: {t.GigabytesPerSecond} GB/s"));
    }

    /// <summary>
    /// The operations that run at the model's sizes are timed at them, under the names bench
    /// printed before the table: stated here again on purpose, as the readers of bench's JSON state them.
    /// </summary>
    [Fact]
    public void BenchTimesTheModelsOperationsAtTheModelsShapes()
    {
        using var backend = new HostBackend();
        var shapes = Run(backend).Where(t => t.Variant == "default").ToDictionary(t => t.Name, t => (t.M, t.N));

        foreach (string name in new[] { OperationName.BiasAdd, "bias_sigmoid_forward", "bias_tanh_dropout_forward", "elu_backward", "dropout_elu_backward", "bias_gradient" })
        {
            Assert.Equal((Batch, Hidden), shapes[name]);
        }

        Assert.Equal((Batch, Pixels), shapes[OperationName.BceForward]);
        Assert.Equal((Batch, Pixels), shapes[OperationName.BceBackward]);
        Assert.Equal((Pixels, Hidden), shapes[OperationName.Adam]);
    }

    /// <summary>Every other operation at the table's case that moves the most bytes.</summary>
    [Fact]
    public void TimedCasesAreTheLargestWhereTheModelStatesNoShape()
    {
        var timed = KernelCases.Timed(Batch, Pixels, Hidden);
        Assert.Equal(KernelCases.Operations.Count, timed.Count);
        var copy = Assert.Single(timed, c => c.Operation == OperationName.Copy);
        Assert.Equal(KernelCases.All.Where(c => c.Operation == OperationName.Copy).Max(c => c.Work.Bytes), copy.Work.Bytes);
    }
}
