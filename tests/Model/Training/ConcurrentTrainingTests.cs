using GpuVae.Kernels;
using GpuVae.Model.Network;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Model.Training;

/// <summary>
/// Models trained in lockstep, each on its backend of <see cref="ConcurrentBackends"/> (a step
/// of every one begun before any is finished), train bit for bit as each trained alone: on
/// CUDA each on a stream of its own, replaying its own graph; elsewhere taking turns on the one backend.
/// </summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class ConcurrentTrainingTests
{
    private const int Steps = 5;
    private const int Batch = 16;
    private static readonly int[] Latents = [2, 3, 5];

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void ModelsInLockstepTrainAsEachAlone(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        var options = new TrainingOptions { BatchSize = Batch, Seed = inputs.Seed, InputNoise = 0.1f };
        var configs = Latents.Select(latent => new VaeConfig(latent, Hidden: 24) { Binarization = Binarization.Dynamic }).ToArray();
        float[] pixels = inputs.Uniform(4 * Batch * configs[0].Pixels, 0, 1);
        int[][] batches = [.. Enumerable.Range(0, Steps).Select(_ => Enumerable.Range(0, Batch).Select(_ => inputs.Next(4 * Batch)).ToArray())];

        var alone = configs.Select(config => TrainAlone(backend, config, options, pixels, batches)).ToArray();
        using var backends = ConcurrentBackends.Create(backend, configs.Length);
        var together = TrainInLockstep(backends, configs, options, pixels, batches);

        Assert.Equal(kind == "cuda", backends.SideBySide);
        Assert.StartsWith($"{configs.Length} models {(kind == "cuda" ? "side by side" : "one after another")}", backends.Description, StringComparison.Ordinal);

        for (int m = 0; m < configs.Length; m++)
        {
            Assert.Equal(alone[m].Losses, together[m].Losses);
            for (int i = 0; i < alone[m].Parameters.Length; i++)
            {
                Assert.True(
                    alone[m].Parameters[i].AsSpan().SequenceEqual(together[m].Parameters[i]),
                    $"{kind}: dim {Latents[m]}'s tensor {i} differs after {Steps} steps in lockstep and alone (seed {inputs.Seed})");
            }
        }
    }

    /// <summary>The next step's values would overwrite those the step in flight reads; a Finish with nothing begun would count a step never taken.</summary>
    [Fact]
    public void StepsBeginAndFinishInTurn()
    {
        var backend = Accelerators.Get("host");
        var config = new VaeConfig(2, Hidden: 8);
        using var model = new Vae(backend, config);
        model.Initialize(1);
        using var images = DeviceData.Upload(backend, new float[4 * config.Pixels], 4, config.Pixels);
        using var step = new TrainingStep(model, new TrainingOptions { BatchSize = 2 });

        Assert.Throws<InvalidOperationException>(() => step.Finish());
        step.Begin(images, [0, 1]);
        Assert.Throws<InvalidOperationException>(() => step.Begin(images, [2, 3]));
        Assert.True(double.IsFinite(step.Finish()));
        Assert.Equal(1, step.StepsTaken);
    }

    private static (double[] Losses, float[][] Parameters) TrainAlone(Backend backend, VaeConfig config, TrainingOptions options, float[] pixels, int[][] batches)
    {
        using var model = new Vae(backend, config);
        model.Initialize(options.Seed);
        using var images = DeviceData.Upload(backend, pixels, pixels.Length / config.Pixels, config.Pixels);
        using var step = new TrainingStep(model, options, captureGraph: true);
        double[] losses = [.. batches.Select(rows => step.Run(images, rows))];
        return (losses, Download(model));
    }

    private static (double[] Losses, float[][] Parameters)[] TrainInLockstep(
        ConcurrentBackends backends, VaeConfig[] configs, TrainingOptions options, float[] pixels, int[][] batches)
    {
        var models = new List<Vae>();
        var images = new List<Tensor>();
        var steps = new List<TrainingStep>();
        try
        {
            for (int m = 0; m < configs.Length; m++)
            {
                models.Add(new Vae(backends[m], configs[m]));
                models[m].Initialize(options.Seed);
                images.Add(DeviceData.Upload(backends[m], pixels, pixels.Length / configs[m].Pixels, configs[m].Pixels));
                steps.Add(new TrainingStep(models[m], options, captureGraph: true));
            }

            var losses = configs.Select(_ => new double[batches.Length]).ToArray();
            for (int s = 0; s < batches.Length; s++)
            {
                for (int m = 0; m < configs.Length; m++)
                {
                    steps[m].Begin(images[m], batches[s]);
                }

                for (int m = 0; m < configs.Length; m++)
                {
                    losses[m][s] = steps[m].Finish();
                }
            }

            return [.. Enumerable.Range(0, configs.Length).Select(m => (losses[m], Download(models[m])))];
        }
        finally
        {
            foreach (var disposable in steps.Concat<IDisposable>(images).Concat(models))
            {
                disposable.Dispose();
            }
        }
    }

    /// <summary>Every parameter and its two moments.</summary>
    private static float[][] Download(Vae model) =>
        [.. model.Parameters.SelectMany(p => new[] { p.Value, p.FirstMoment, p.SecondMoment }).Select(t => DeviceData.Download(model.Backend, t))];
}
