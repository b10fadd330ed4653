using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using GpuVae.Kernels.Ilgpu;
using GpuVae.Model;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Model;

/// <summary>
/// ILGPU's CPU accelerator, running the very kernels a GPU runs, and the host backend train
/// the same parameters from the same seed: same masks, same noise, same shuffles.
/// </summary>
public sealed class BackendAgreementTests
{
    private const int Steps = 4;
    private const float LearningRate = 1e-3f;

    // Float sums in a different order differ by ~1e-7 relative per step. Adam divides the
    // gradient by its own running scale, so a parameter whose gradient is at the rounding
    // level can step either way: at most 2 * lr per step apart. Nearly all parameters have
    // real gradients and must agree to 1e-5.
    private const float TypicalTolerance = 1e-5f;
    private const float WorstCaseTolerance = 2 * LearningRate * Steps;
    private const double TypicalFraction = 0.999;

    [Fact]
    public void CpuAcceleratorAndHostReachTheSameParametersAfterAFewSteps()
    {
        var data = RealMnist.Load();
        var config = new VaeConfig(Latent: 3, Hidden: 16);
        var options = new TrainingOptions { BatchSize = 32, Seed = 7, LearningRate = LearningRate };
        float[] train = data.Train.Images[..(Steps * options.BatchSize * config.Pixels)];
        float[] test = data.Test.Images[..(64 * config.Pixels)];

        using var host = new HostBackend();
        using var cpu = BackendFactory.Create("cpu", 0, _ => { });
        var expected = TrainOneEpoch(host, config, options, train, test);
        var actual = TrainOneEpoch(cpu, config, options, train, test);

        for (int t = 0; t < expected.Count; t++)
        {
            int typical = 0;
            for (int i = 0; i < expected[t].Length; i++)
            {
                float difference = Math.Abs(expected[t][i] - actual[t][i]);
                Assert.True(difference <= WorstCaseTolerance, $"parameter {t}[{i}]: host {expected[t][i]}, cpu {actual[t][i]}");
                typical += difference <= TypicalTolerance ? 1 : 0;
            }

            Assert.True(typical >= TypicalFraction * expected[t].Length, $"parameter {t}: only {typical} of {expected[t].Length} agree to {TypicalTolerance}");
        }
    }

    private static List<float[]> TrainOneEpoch(Backend backend, VaeConfig config, TrainingOptions options, float[] train, float[] test)
    {
        using var model = new Vae(backend, config);
        model.Initialize(options.Seed);
        using var trainer = new Trainer(model, options, train, test);
        Assert.Equal(Steps, trainer.StepsPerEpoch);
        trainer.TrainEpoch(1, null, CancellationToken.None);
        return model.Parameters.Select(p =>
        {
            var values = new float[p.Value.Length];
            backend.Download(p.Value, values);
            return values;
        }).ToList();
    }
}
