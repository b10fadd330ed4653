using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using GpuVae.Kernels.Operations;
using GpuVae.Kernels.Verification;
using GpuVae.Model.Network;
using GpuVae.Model.Training;
using Xunit;

namespace GpuVae.Tests.Model.Training;

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
        Assert.Equal(17, profile.Where(row => row.Operation.StartsWith("gemm ", StringComparison.Ordinal)).Sum(row => row.CallsPerStep));
        Assert.Equal(2, calls["gemm nn 128x500x500"]);
        Assert.Equal(1, calls["gemm nn 128x40x500"]);
        Assert.Equal(1, calls["gemm tn 784x500x128"]);
        Assert.Equal(1, calls[OperationName.BiasAdd]);
        Assert.Equal(6, calls[OperationName.SumColumns]);
        Assert.Equal(2, calls[OperationName.Of(OperationName.BiasActivationDropoutForward, Activation.Elu)]);
        Assert.Equal(2, calls[OperationName.Of(OperationName.BiasActivationDropoutForward, Activation.Tanh)]);
        Assert.Equal(1, calls[OperationName.Of(OperationName.BiasActivationForward, Activation.Sigmoid)]);
        Assert.Equal(2, calls[OperationName.Of(OperationName.DropoutActivationBackward, Activation.Elu)]);
        Assert.Equal(2, calls[OperationName.Of(OperationName.DropoutActivationBackward, Activation.Tanh)]);
        Assert.Equal(1, calls[OperationName.Adam]);
        Assert.Equal(1, calls[OperationName.BceForward]);
        Assert.Equal(1, calls[OperationName.KlForward]);
        Assert.Equal(1, calls[OperationName.UploadStepValues]);
        Assert.Equal(2, calls[OperationName.CopyToReadback]);
        Assert.Equal(1, calls[OperationName.GatherRows]);

        // 68 operations before: the fused epilogues took 13 away (3 per hidden layer, 1 at the
        // output), the Adam block 11; the batch's gather is timed since the benchmark runs the
        // step training runs; the step's values go up in one upload at its start.
        Assert.Equal(46, profile.Sum(row => row.CallsPerStep));
        Assert.Equal(profile.OrderByDescending(row => row.MillisecondsPerStep).Select(row => row.Operation), profile.Select(row => row.Operation));
    }

    /// <summary>The GEMMs the model states (what bench and bench/GemmBench time) are the ones a step runs.</summary>
    [Fact]
    public void StatedGemmsAreTheOnesAStepRuns()
    {
        using var backend = new HostBackend();
        foreach (var config in new[]
        {
            new VaeConfig(Latent: 1, Hidden: 7), new VaeConfig(Latent: 20, Hidden: 7),
            new VaeConfig(Latent: 2, Hidden: 7) { Kind = ModelKind.Cvae, Classes = 10 },
        })
        {
            var profile = StepBenchmark.Profile(backend, config, batch: 5, steps: 1, seed: 1);
            var ran = profile.Where(row => row.Operation.StartsWith("gemm ", StringComparison.Ordinal))
                .SelectMany(row => Enumerable.Repeat(row.Operation, row.CallsPerStep)).Order();
            var stated = TrainingStep.Gemms(config, batch: 5).Select(gemm => gemm.Name).Order();
            Assert.Equal(stated, ran);
        }
    }

    /// <summary>Every operation a step runs has cases in the kernel table, so `check` covers the whole step.</summary>
    [Fact]
    public void EveryOperationOfAStepIsChecked()
    {
        using var backend = new HostBackend();
        var profile = StepBenchmark.Profile(backend, new VaeConfig(Latent: 3, Hidden: 7), batch: 5, steps: 1, seed: 1);
        // The step values' upload is a transfer like upload: every random and Adam case goes through it.
        var operations = profile.Select(row => OperationName.OperationOf(row.Operation)).Where(name => !OperationName.Transfers.Contains(name)).Distinct();
        Assert.All(operations, operation => Assert.Contains(operation, KernelCases.Operations));
    }
}
