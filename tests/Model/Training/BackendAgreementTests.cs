using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using GpuVae.Kernels.Ilgpu;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Network;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Model.Training;

/// <summary>
/// ILGPU's CPU accelerator, running the very kernels a GPU runs, and the host backend train
/// the same parameters from the same seed: same masks, same noise, same shuffles. Because Adam
/// divides each gradient by its own running scale, parameters after a few steps hardly see a
/// gradient that is off by a constant factor, so every gradient of one step is compared too.
/// </summary>
[Collection(nameof(AcceleratorCollection))]
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

    // One step's gradients sum the same float terms in another order (GEMMs over K = 784, 500
    // or B, column sums over B): a few ulp of the sum of |terms|, which for an element whose
    // terms cancel is large against the element itself. So the absolute part is relative to
    // the tensor's largest gradient: the CPU accelerator measured at most 7.3e-7 of it
    // (encoder.hidden0.weight), and 1e-5 leaves 14 times that. The relative part, 1e-4, is for
    // the large elements. A gradient 0.1% off, 1e-3 of the largest, fails either way.
    private const double GradientScaleTolerance = 1e-5;
    private const double GradientRelativeTolerance = 1e-4;

    // The importance weights are a softmax over log weights of a few hundred nats: the host
    // sums each row's BCE in double, a device in float, a difference of about |BCE| * 2^-24 *
    // sqrt(784) (3e-4 nats) that becomes that relative error of every weight, and so of every
    // weighted gradient. 1e-3 of the largest (2.2e-5 measured on ILGPU's CPU accelerator) still
    // fails a wrong weight, which is off by O(1).
    private const double ImportanceWeightedTolerance = 1e-3;

    /// <summary>
    /// One forward and backward pass of the full-size dim-20 model on a batch of real digits,
    /// with dropout and corrupted inputs (x is not the target), on each ILGPU accelerator and
    /// on the host, from the same parameters and random streams: every parameter gradient agrees.
    /// </summary>
    [Theory]
    [MemberData(nameof(Accelerators.IlgpuKinds), MemberType = typeof(Accelerators))]
    public void EveryGradientOfOneStepMatchesTheHost(string kind) =>
        CheckOneStep(kind, TrainingObjective.Elbo, 33, GradientScaleTolerance, GradientRelativeTolerance);

    /// <summary>
    /// The same for the importance-weighted bound at K = 3 (11 images in 33 rows): the
    /// importance weights, the row scaling and the prior-over-posterior gradient of each ILGPU
    /// accelerator inside a real step.
    /// </summary>
    [Theory]
    [MemberData(nameof(Accelerators.IlgpuKinds), MemberType = typeof(Accelerators))]
    public void EveryImportanceWeightedGradientOfOneStepMatchesTheHost(string kind) =>
        CheckOneStep(kind, new TrainingObjective(1, ImportanceWeighted: true, Samples: 3), 11, ImportanceWeightedTolerance, ImportanceWeightedTolerance);

    private static void CheckOneStep(string kind, TrainingObjective objective, int imageCount, double scaleTolerance, double relativeTolerance)
    {
        var backend = Accelerators.Get(kind);
        var host = Accelerators.Get("host");
        var inputs = new RandomInputs();
        var data = RealMnist.Load();
        var config = new VaeConfig(Latent: 20);
        int count = data.Train.Images.Length / config.Pixels;
        float[] images = [.. Enumerable.Range(0, imageCount).SelectMany(_ => data.Train.Images.AsSpan(inputs.Next(count) * config.Pixels, config.Pixels).ToArray())];
        ulong seed = inputs.NextSeed(), step = (ulong)inputs.Next(1 << 20);

        var expected = OneStepGradients(host, config, images, objective, inputs.Seed, seed, step);
        var actual = OneStepGradients(backend, config, images, objective, inputs.Seed, seed, step);

        for (int t = 0; t < expected.Count; t++)
        {
            var (name, gradient) = expected[t];
            double scale = gradient.Max(g => Math.Abs((double)g));
            Assert.True(scale > 0, $"{name}: every host gradient is zero");
            double worst = gradient.Zip(actual[t].Gradient).Max(pair => Math.Abs((double)pair.First - pair.Second)) / scale;
            TestContext.Current.TestOutputHelper?.WriteLine($"{name}: largest difference {worst:G3} of the largest gradient {scale:G3}");
            var tolerance = new Tolerance(scaleTolerance * scale, relativeTolerance);
            Compare.AllClose(gradient, actual[t].Gradient, tolerance, $"{kind} vs host: {name} gradient (seed {inputs.Seed})");
        }
    }

    private static List<(string Name, float[] Gradient)> OneStepGradients(
        Backend backend, VaeConfig config, float[] images, TrainingObjective objective, int initSeed, ulong seed, ulong step)
    {
        using var model = new Vae(backend, config);
        model.Initialize(initSeed);
        foreach (var parameter in model.Parameters)
        {
            backend.Upload(parameter.Gradient, Enumerable.Repeat(float.NaN, parameter.Gradient.Length).ToArray());
        }

        int samples = objective.RowsPerImage;
        int batch = images.Length / config.Pixels * samples;
        using var w = new VaeWorkspace(backend, config, batch, samples);
        float[] rows = [.. Enumerable.Range(0, batch).SelectMany(r => images.AsSpan(r / samples * config.Pixels, config.Pixels).ToArray())];
        backend.Upload(w.Target, rows);
        model.StageStep(w, step);
        backend.SaltAndPepper(w.CorruptedInput, w.Target, 0.3f, seed, new RandomStream(w.Step, RandomStreams.InputNoiseSlot));
        var dropout = new DropoutSettings(0.9f, seed, w.Step);
        if (objective.ImportanceWeighted)
        {
            model.ForwardImportanceWeighted(w, w.CorruptedInput, dropout, seed);
        }
        else
        {
            model.Forward(w, w.CorruptedInput, dropout, seed);
        }

        model.Backward(w, w.CorruptedInput, dropout, objective);
        return [.. model.Parameters.Select(p => (p.Name, DeviceData.Download(backend, p.Gradient)))];
    }

    [Fact]
    public void CpuAcceleratorAndHostReachTheSameParametersAfterAFewSteps()
    {
        var data = RealMnist.Load();
        var config = new VaeConfig(Latent: 3, Hidden: 16);
        var options = new TrainingOptions { BatchSize = 32, Seed = 7, LearningRates = LearningRateSchedule.Constant(LearningRate) };
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
