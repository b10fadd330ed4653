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

    /// <summary>
    /// The least traffic the floor holds the operations to: each tensor read or written once,
    /// an in-place one twice; Adam reads a parameter, its moments and its gradient and writes three back.
    /// </summary>
    [Fact]
    public void ProfileCountsTheBytesEachOperationMustMove()
    {
        using var backend = new HostBackend();
        var config = new VaeConfig(Latent: 3, Hidden: 7);
        const int Batch = 5;
        var profile = StepBenchmark.Profile(backend, config, Batch, steps: 2, seed: 1).ToDictionary(row => row.Operation, row => row.BytesPerStep);
        int pixels = config.Pixels;
        long parameters = config.Layers.All.Sum(layer => ((long)layer.Inputs * layer.Outputs) + layer.Outputs);

        Assert.Equal(7 * parameters * sizeof(float), profile[OperationName.Adam]);
        // loss (B, 1), p and target (B, D).
        Assert.Equal(((long)Batch + (2L * Batch * pixels)) * sizeof(float), profile[OperationName.BceForward]);
        // Two hidden layers of each activation: x read and written, y, dropped and the bias.
        Assert.Equal(2 * ((4L * Batch * 7) + 7) * sizeof(float), profile[OperationName.Of(OperationName.BiasActivationDropoutForward, Activation.Tanh)]);
        // dMu and dSigma read and written, mu and sigma read: six (B, Z) tensors.
        Assert.Equal(6L * Batch * 3 * sizeof(float), profile[OperationName.KlBackward]);
    }

    [Fact]
    public void FloorIsTheGemmsTimedAloneAndTheOtherTrafficAtTheBandwidth()
    {
        StepBenchmark.ProfileRow[] profile =
        [
            new("gemm nn 128x500x784", 1, 0.9, 2_000_000),
            new(OperationName.Adam, 1, 0.8, 30_000_000),
            new(OperationName.BceForward, 1, 0.1, 10_000_000),
        ];
        var floor = StepFloor.Of([0.5, 0.25], profile, gigabytesPerSecond: 20);

        Assert.Equal(0.75, floor.GemmMilliseconds, 12);
        // The GEMM's own bytes count in its time alone, not again at the bandwidth.
        Assert.Equal(40_000_000, floor.OtherBytes);
        Assert.Equal(2.0, floor.OtherMilliseconds, 12);
        Assert.Equal(2.75, floor.Milliseconds, 12);
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
