using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Network;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Model.Training;

/// <summary>
/// The training step captured once as a CUDA graph and replayed trains bit for bit as the step
/// run op by op: every value that changes from step to step reaches the kernels through the
/// step's values, none as a launch argument frozen at capture. Elsewhere the step falls back
/// to op by op and says why.
/// </summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class GraphCaptureTests
{
    private const int Steps = 6;
    private const int Batch = 32;

    public static TheoryData<string, bool> Objectives => new() { { "elbo", false }, { "iwae", true } };

    /// <summary>Binarized pixels, salt-and-pepper noise and dropout: every random slot a step draws from, and Adam's changing corrections.</summary>
    [Theory]
    [MemberData(nameof(Objectives))]
    public void OnCudaReplayedStepsTrainBitForBitAsOpByOp(string objective, bool importanceWeighted)
    {
        var backend = Accelerators.Get("cuda");
        var inputs = new RandomInputs();
        var options = new TrainingOptions
        {
            BatchSize = Batch,
            Seed = inputs.Seed,
            InputNoise = 0.2f,
            Objective = importanceWeighted ? new TrainingObjective(1, ImportanceWeighted: true, Samples: 3) : TrainingObjective.Elbo,
        };
        var config = new VaeConfig(Latent: 3, Hidden: 40) { Binarization = Binarization.Dynamic };
        float[] pixels = inputs.Uniform(4 * Batch * config.Pixels, 0, 1);
        int[][] batches = [.. Enumerable.Range(0, Steps).Select(_ => Enumerable.Range(0, Batch).Select(_ => inputs.Next(4 * Batch)).ToArray())];

        var (graphLosses, graphParameters, status) = Train(backend, config, options, pixels, batches, captureGraph: true);
        var (opLosses, opParameters, _) = Train(backend, config, options, pixels, batches, captureGraph: false);

        Assert.StartsWith("step: captured as a CUDA graph of", status, StringComparison.Ordinal);
        Assert.Equal(opLosses, graphLosses);
        for (int i = 0; i < opParameters.Length; i++)
        {
            Assert.True(
                opParameters[i].AsSpan().SequenceEqual(graphParameters[i]),
                $"{objective}: tensor {i} differs after {Steps} steps with and without the graph (seed {inputs.Seed})");
        }
    }

    [Theory]
    [InlineData("host")]
    [InlineData("cpu")]
    [InlineData("opencl")]
    public void WithoutCudaTheStepRunsOpByOpAndSaysWhy(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        var config = new VaeConfig(Latent: 2, Hidden: 16);
        var options = new TrainingOptions { BatchSize = 8, Seed = inputs.Seed };
        float[] pixels = inputs.Uniform(16 * config.Pixels, 0, 1);
        int[][] batches = [.. Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 8).Select(_ => inputs.Next(16)).ToArray())];

        var (withGraph, parameters, status) = Train(backend, config, options, pixels, batches, captureGraph: true);
        var (without, expected, _) = Train(backend, config, options, pixels, batches, captureGraph: false);

        Assert.Equal($"step: runs op by op (the {kind} backend runs each operation as it is called; CUDA graphs need --accelerator cuda)", status);
        Assert.Equal(without, withGraph);
        Assert.Equal(expected, parameters);
    }

    /// <summary>Per-step mean losses, then every parameter and moment, and the graph status, after training these batches from the seed.</summary>
    private static (double[] Losses, float[][] Parameters, string Status) Train(
        Backend backend, VaeConfig config, TrainingOptions options, float[] pixels, int[][] batches, bool captureGraph)
    {
        using var model = new Vae(backend, config);
        model.Initialize(options.Seed);
        using var images = DeviceData.Upload(backend, pixels, pixels.Length / config.Pixels, config.Pixels);
        using var step = new TrainingStep(model, options, captureGraph);
        double[] losses = [.. batches.Select(rows => step.Run(images, rows))];
        var tensors = model.Parameters.SelectMany(p => new[] { p.Value, p.FirstMoment, p.SecondMoment });
        return (losses, [.. tensors.Select(t => DeviceData.Download(backend, t))], step.GraphStatus);
    }
}
