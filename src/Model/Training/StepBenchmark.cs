using System.Diagnostics;
using GpuVae.Kernels;
using GpuVae.Kernels.Benchmarks;
using GpuVae.Model.Network;

namespace GpuVae.Model.Training;

/// <summary>
/// Times the training step that <see cref="Trainer"/> runs (<see cref="TrainingStep.Run"/>) at
/// the TensorFlow original's shapes on a backend, the number a training run's speed comes down
/// to, and breaks a step down by operation.
/// </summary>
public static class StepBenchmark
{
    /// <param name="Graph">Whether the timed steps replayed a captured CUDA graph.</param>
    /// <param name="Milliseconds">The median step: what the step costs when nothing else on the machine gets in its way.</param>
    /// <param name="MeanMilliseconds">
    /// The mean of as many more steps, each waited for as training waits: what a training run's
    /// epochs come to, since a noisy machine's slow steps count in full there (3-10% more on
    /// our shared VMs).
    /// </param>
    /// <param name="AllocatedBytesPerStep">Managed bytes the process allocated per timed (warm) step, on every thread.</param>
    public sealed record Result(
        int Latent, int Batch, double Milliseconds, double MeanMilliseconds, double ImagesPerSecond, double EpochSeconds, bool Graph, double AllocatedBytesPerStep);

    /// <summary>
    /// One operation's share of a step: how often a step calls it, its milliseconds per step, and
    /// the bytes per step it must move at the least (each tensor it reads or writes, once).
    /// </summary>
    public sealed record ProfileRow(string Operation, int CallsPerStep, double MillisecondsPerStep, long BytesPerStep)
    {
        public bool IsGemm => Operation.StartsWith(OperationName.Gemm, StringComparison.Ordinal);
    }

    /// <summary>
    /// How long a step is warmed up before it is timed, at the least. .NET recompiles a method
    /// with its profile only after its 30th call and a delay, so the step's methods that run
    /// once a step reach their final code only after some tens of steps: longer than the 300 ms
    /// that is enough for a kernel called thousands of times.
    /// </summary>
    public static TimeSpan Warmup { get; } = TimeSpan.FromSeconds(3);

    /// <param name="captureGraph">Capture the step as a CUDA graph after its first run, where the backend can.</param>
    /// <param name="minimumWarmup">At least this long warming up (<see cref="Warmup"/> when null); tests that do not time pass zero.</param>
    public static Result Run(Backend backend, VaeConfig config, int batch, int warmups, int repeats, int seed, bool captureGraph = false, TimeSpan? minimumWarmup = null)
    {
        using var step = new BenchmarkStep(backend, config, batch, seed, captureGraph);
        double ms = Timing.MedianMilliseconds(backend, step.Run, Math.Max(warmups, 2), repeats, minimumWarmup: minimumWarmup ?? Warmup);
        var (mean, allocated) = MeanStep(backend, step, repeats);
        int stepsPerEpoch = 60_000 / batch;
        return new Result(config.Latent, batch, ms, mean, batch / (ms / 1000), stepsPerEpoch * ms / 1000, step.Replaying, allocated);
    }

    /// <summary>Runs <paramref name="steps"/> warm steps with the backend's profile on, slowest operation first.</summary>
    public static IReadOnlyList<ProfileRow> Profile(Backend backend, VaeConfig config, int batch, int steps, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        using var step = new BenchmarkStep(backend, config, batch, seed, captureGraph: false);
        Timing.MedianMilliseconds(backend, step.Run, warmups: 3, repeats: 1);
        var profile = new OperationProfile();
        backend.Profile = profile;
        try
        {
            for (int i = 0; i < steps; i++)
            {
                step.Run();
            }
        }
        finally
        {
            backend.Profile = null;
        }

        return profile.Totals
            .Select(entry => new ProfileRow(entry.Key, entry.Value.Calls / steps, entry.Value.Milliseconds / steps, entry.Value.Bytes / steps))
            .OrderByDescending(row => row.MillisecondsPerStep)
            .ToList();
    }

    /// <summary>
    /// The mean milliseconds and managed bytes allocated per step over <paramref name="steps"/>
    /// more warm steps, on every thread: a step's allocations are a collection every few hundred
    /// kilobytes, which a training run of thousands of steps pays again and again.
    /// </summary>
    private static (double Milliseconds, double AllocatedBytes) MeanStep(Backend backend, BenchmarkStep step, int steps)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < steps; i++)
        {
            step.Run();
            backend.Synchronize();
        }

        double milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds / steps;
        return (milliseconds, (double)(GC.GetTotalAllocatedBytes(precise: true) - before) / steps);
    }

    /// <summary>A freshly initialized model and its training step over one batch of random pixels (and labels, for the conditional VAE), taken again and again.</summary>
    private sealed class BenchmarkStep : IDisposable
    {
        private readonly Vae model;
        private readonly TrainingStep step;
        private readonly Tensor images;
        private readonly Tensor? labels;
        private readonly int[] rows;

        public BenchmarkStep(Backend backend, VaeConfig config, int batch, int seed, bool captureGraph)
        {
            model = new Vae(backend, config);
            model.Initialize(seed);
            step = new TrainingStep(model, new TrainingOptions { BatchSize = batch, Seed = seed }, captureGraph);
            var random = new Random(seed);
            var pixels = new float[batch * config.Pixels];
            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] = (float)random.NextDouble();
            }

            images = backend.Allocate(batch, config.Pixels);
            backend.Upload(images, pixels);
            if (step.GathersLabels)
            {
                labels = backend.Allocate(batch, config.Classes);
                backend.Upload(labels, LabelOneHots.Of([.. Enumerable.Range(0, batch).Select(n => (byte)(n % config.Classes))], config.Classes));
            }

            rows = [.. Enumerable.Range(0, batch)];
        }

        /// <summary>Whether the last steps replayed a captured graph.</summary>
        public bool Replaying => step.Replaying;

        public void Run() => step.Run(images, rows, labels);

        public void Dispose()
        {
            images.Dispose();
            labels?.Dispose();
            step.Dispose();
            model.Dispose();
        }
    }
}
