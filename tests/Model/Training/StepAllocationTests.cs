using GpuVae.Kernels.Benchmarks;
using GpuVae.Kernels.Host;
using GpuVae.Model.Network;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Model.Training;

/// <summary>
/// A warm host step allocates nothing on any thread (a training run of thousands of steps would
/// otherwise pay a collection every few), and bench's peak working set follows what is resident.
/// Counted over the whole process, so these run alone.
/// </summary>
[Collection(nameof(AloneCollection))]
public sealed class StepAllocationTests
{
    [Theory]
    [InlineData(20, ModelKind.Vae)]
    [InlineData(2, ModelKind.Cvae)]
    public void AWarmHostStepAllocatesNothing(int latent, ModelKind kind)
    {
        using var backend = new HostBackend();
        var config = new VaeConfig(latent) { Kind = kind, Classes = kind == ModelKind.Cvae ? 10 : 0 };
        var step = StepBenchmark.Run(backend, config, batch: 128, warmups: 3, repeats: 20, seed: 1, minimumWarmup: TimeSpan.Zero);

        Assert.Equal(0, step.AllocatedBytesPerStep);
    }

    [Fact]
    public void PeakWorkingSetRisesWithMemoryTouchedAfterARestart()
    {
        if (!PeakWorkingSet.Restart())
        {
            return;
        }

        long before = PeakWorkingSet.Bytes();
        var touched = new byte[128 << 20];
        for (int i = 0; i < touched.Length; i += 4096)
        {
            touched[i] = 1;
        }

        Assert.InRange(PeakWorkingSet.Bytes() - before, 120L << 20, long.MaxValue);
        GC.KeepAlive(touched);
    }
}
