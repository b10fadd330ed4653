using GpuVae.Kernels;
using GpuVae.Kernels.Benchmarks;

namespace GpuVae.Model;

/// <summary>
/// Times one whole training step (forward, loss, backward, loss read-back, Adam) at the seed's shapes on a
/// backend, the number a training run's speed comes down to.
/// </summary>
public static class StepBenchmark
{
    public sealed record Result(int Latent, int Batch, double Milliseconds, double ImagesPerSecond, double EpochSeconds);

    public static Result Run(IBackend backend, VaeConfig config, int batch, int warmups, int repeats, int seed)
    {
        using var model = new Vae(backend, config);
        model.Initialize(seed);
        using var workspace = new VaeWorkspace(backend, config, batch);
        var random = new Random(seed);
        var pixels = new float[batch * config.Pixels];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)random.NextDouble();
        }

        backend.Upload(workspace.Target, pixels);
        var optimizer = new AdamOptimizer(backend, model.Parameters, 1e-3f);
        var losses = new float[batch];
        double ms = Timing.MedianMilliseconds(
            backend,
            () =>
            {
                ulong step = (ulong)optimizer.StepsTaken;
                var dropout = new DropoutSettings(0.9f, (ulong)seed, step);
                model.Forward(workspace, workspace.Target, dropout, (ulong)seed, step);
                model.Backward(workspace, workspace.Target, dropout);
                // Training reads the batch's losses back every step to watch for NaN and report progress.
                backend.Download(workspace.Bce, losses);
                backend.Download(workspace.Kl, losses);
                optimizer.Step();
            },
            warmups,
            repeats);
        int stepsPerEpoch = 60_000 / batch;
        return new Result(config.Latent, batch, ms, batch / (ms / 1000), stepsPerEpoch * ms / 1000);
    }
}
