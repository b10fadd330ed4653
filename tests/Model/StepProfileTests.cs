using GpuVae.Kernels.Host;
using GpuVae.Model;
using Xunit;

namespace GpuVae.Tests.Model;

/// <summary>The per-operation profile `GpuVae bench` prints: every operation a step runs, counted right.</summary>
public sealed class StepProfileTests
{
    [Fact]
    public void ProfileCountsEveryOperationOfATrainingStep()
    {
        using var backend = new HostBackend();
        var profile = StepBenchmark.Profile(backend, new VaeConfig(Latent: 20), batch: 128, steps: 3, seed: 1);
        var calls = profile.ToDictionary(row => row.Operation, row => row.CallsPerStep);

        // Six dense layers: six forward GEMMs, six weight gradients, five input gradients (the
        // encoder's first layer needs none); a bias gradient each; four hidden layers whose
        // bias, activation and dropout run as one fused epilogue each way, the decoder's output
        // whose bias and sigmoid do, and the encoder's output with a bias alone; one Adam
        // update over the block of every weight and bias.
        Assert.Equal(17, profile.Where(row => row.Operation.StartsWith("gemm_", StringComparison.Ordinal)).Sum(row => row.CallsPerStep));
        Assert.Equal(2, calls["gemm_nn 128x500x500"]);
        Assert.Equal(1, calls["gemm_nn 128x40x500"]);
        Assert.Equal(1, calls["gemm_tn 784x500x128"]);
        Assert.Equal(1, calls["bias_add"]);
        Assert.Equal(6, calls["sum_columns"]);
        Assert.Equal(2, calls["bias_elu_dropout_forward"]);
        Assert.Equal(2, calls["bias_tanh_dropout_forward"]);
        Assert.Equal(1, calls["bias_sigmoid_forward"]);
        Assert.Equal(2, calls["dropout_elu_backward"]);
        Assert.Equal(2, calls["dropout_tanh_backward"]);
        Assert.Equal(1, calls["adam"]);
        Assert.Equal(1, calls["bce_forward"]);
        Assert.Equal(1, calls["kl_forward"]);
        Assert.Equal(2, calls["download"]);

        // 68 operations before: the fused epilogues took 13 away (3 per hidden layer, 1 at the
        // output), the Adam block 11.
        Assert.Equal(44, profile.Sum(row => row.CallsPerStep));
        Assert.All(profile, row => Assert.True(row.MillisecondsPerStep > 0, $"{row.Operation} took no time"));
        Assert.Equal(profile.OrderByDescending(row => row.MillisecondsPerStep).Select(row => row.Operation), profile.Select(row => row.Operation));
    }
}
