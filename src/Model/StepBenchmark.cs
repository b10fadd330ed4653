using GpuVae.Kernels;
using GpuVae.Kernels.Benchmarks;

namespace GpuVae.Model;

/// <summary>
/// Times one whole training step (forward, loss, backward, loss read-back, Adam) at the seed's shapes on a
/// backend, the number a training run's speed comes down to, and breaks a step down by operation.
/// </summary>
public static class StepBenchmark
{
    public sealed record Result(int Latent, int Batch, double Milliseconds, double ImagesPerSecond, double EpochSeconds);

    /// <summary>One operation's share of a step: how often a step calls it and its milliseconds per step.</summary>
    public sealed record ProfileRow(string Operation, int CallsPerStep, double MillisecondsPerStep);

    public static Result Run(IBackend backend, VaeConfig config, int batch, int warmups, int repeats, int seed)
    {
        using var step = new TrainingStep(backend, config, batch, seed);
        double ms = Timing.MedianMilliseconds(backend, step.Run, warmups, repeats);
        int stepsPerEpoch = 60_000 / batch;
        return new Result(config.Latent, batch, ms, batch / (ms / 1000), stepsPerEpoch * ms / 1000);
    }

    /// <summary>Runs <paramref name="steps"/> warm steps through a <see cref="ProfilingBackend"/>, slowest operation first.</summary>
    public static IReadOnlyList<ProfileRow> Profile(IBackend backend, VaeConfig config, int batch, int steps, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        var profiler = new ProfilingBackend(backend);
        using var step = new TrainingStep(profiler, config, batch, seed);
        Timing.MedianMilliseconds(backend, step.Run, warmups: 3, repeats: 1);
        profiler.Reset();
        for (int i = 0; i < steps; i++)
        {
            step.Run();
        }

        return profiler.Totals
            .Select(entry => new ProfileRow(entry.Key, entry.Value.Calls / steps, entry.Value.Milliseconds / steps))
            .OrderByDescending(row => row.MillisecondsPerStep)
            .ToList();
    }

    /// <summary>A model, its optimizer and a batch of random pixels, ready to take steps.</summary>
    private sealed class TrainingStep : IDisposable
    {
        private readonly Vae model;
        private readonly VaeWorkspace workspace;
        private readonly AdamOptimizer optimizer;
        private readonly float[] losses;
        private readonly IBackend backend;
        private readonly int seed;

        public TrainingStep(IBackend backend, VaeConfig config, int batch, int seed)
        {
            this.backend = backend;
            this.seed = seed;
            model = new Vae(backend, config);
            model.Initialize(seed);
            workspace = new VaeWorkspace(backend, config, batch);
            var random = new Random(seed);
            var pixels = new float[batch * config.Pixels];
            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] = (float)random.NextDouble();
            }

            backend.Upload(workspace.Target, pixels);
            optimizer = new AdamOptimizer(backend, model.Parameters, 1e-3f);
            losses = new float[batch];
        }

        public void Run()
        {
            ulong step = (ulong)optimizer.StepsTaken;
            var dropout = new DropoutSettings(0.9f, (ulong)seed, step);
            model.Forward(workspace, workspace.Target, dropout, (ulong)seed, step);
            model.Backward(workspace, workspace.Target, dropout);
            // Training reads the batch's losses back every step to watch for NaN and report progress.
            backend.Download(workspace.Bce, losses);
            backend.Download(workspace.Kl, losses);
            optimizer.Step();
        }

        public void Dispose()
        {
            workspace.Dispose();
            model.Dispose();
        }
    }
}
