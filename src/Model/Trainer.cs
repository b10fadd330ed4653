using System.Diagnostics;
using GpuVae.Kernels;

namespace GpuVae.Model;

/// <summary>
/// The seed's training loop: each epoch shuffles the training images (seeded by the run's
/// seed and the epoch, so a resumed run shuffles alike), takes floor(N / B) full batches of
/// forward, loss, backward and Adam update, then evaluates the whole test set without dropout.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly Tensor trainImages;
    private readonly float[] testImages;
    private readonly int trainCount;
    private readonly VaeWorkspace workspace;
    private readonly AdamOptimizer optimizer;
    private readonly VaeInference inference;
    private readonly float[] bce;
    private readonly float[] kl;

    /// <param name="trainImages">(N, D) pixels in [0, 1], uploaded to the backend once.</param>
    /// <param name="testImages">(M, D) pixels in [0, 1].</param>
    public Trainer(Vae model, TrainingOptions options, float[] trainImages, float[] testImages)
    {
        Model = model;
        Options = options;
        int pixels = model.Config.Pixels;
        trainCount = trainImages.Length / pixels;
        if (options.BatchSize > trainCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), $"the batch size {options.BatchSize} is larger than the {trainCount} training images");
        }

        this.trainImages = Backend.Allocate(trainCount, pixels);
        Backend.Upload(this.trainImages, trainImages);
        this.testImages = testImages;
        workspace = new VaeWorkspace(Backend, model.Config, options.BatchSize);
        optimizer = new AdamOptimizer(Backend, model.Parameters, options.LearningRate);
        inference = new VaeInference(model, (ulong)options.Seed, options.EvaluationBatchSize);
        bce = new float[options.BatchSize];
        kl = new float[options.BatchSize];
    }

    public Vae Model { get; }

    public TrainingOptions Options { get; }

    public int StepsPerEpoch => trainCount / Options.BatchSize;

    /// <summary>Training steps taken so far over all epochs: the random streams' counter.</summary>
    public long GlobalStep
    {
        get => optimizer.StepsTaken;
        set => optimizer.StepsTaken = value;
    }

    private IBackend Backend => Model.Backend;

    /// <summary>Trains epoch (1-based) and evaluates the test set.</summary>
    public EpochMetrics TrainEpoch(int epoch, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        var order = ShuffledOrder(epoch);
        var train = new LossTotals();
        ulong seed = (ulong)Options.Seed;
        var clock = Stopwatch.StartNew();
        for (int step = 0; step < StepsPerEpoch; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            ulong globalStep = (ulong)GlobalStep;
            Backend.GatherRows(workspace.Target, trainImages, order.AsSpan(step * Options.BatchSize, Options.BatchSize));
            var input = workspace.Target;
            if (Options.InputNoise > 0)
            {
                Backend.SaltAndPepper(
                    workspace.CorruptedInput, workspace.Target, Options.InputNoise, seed, RandomStreams.Of(globalStep, RandomStreams.InputNoiseSlot));
                input = workspace.CorruptedInput;
            }

            var dropout = new DropoutSettings(Options.KeepProbability, seed, globalStep);
            Model.Forward(workspace, input, dropout, seed, globalStep);
            Model.Backward(workspace, input, dropout);

            Backend.Download(workspace.Bce, bce);
            Backend.Download(workspace.Kl, kl);
            var batch = new LossTotals();
            batch.Add(bce, kl);
            if (!double.IsFinite(batch.MeanLoss))
            {
                throw new NonFiniteLossException(epoch, step + 1, batch.MeanLoss);
            }

            optimizer.Step();
            train.Add(bce, kl);
            progress?.Report(new TrainingProgress(
                epoch, step + 1, StepsPerEpoch, train.MeanLoss, train.MeanBce, train.MeanKld, clock.Elapsed, train.Images));
        }

        Backend.Synchronize();
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var test = inference.Evaluate(testImages);
        return new EpochMetrics(
            epoch, train.MeanLoss, train.MeanBce, train.MeanKld, test.MeanLoss, test.MeanBce, test.MeanKld,
            clock.Elapsed.TotalSeconds, train.Images / trainSeconds);
    }

    public void Dispose()
    {
        trainImages.Dispose();
        workspace.Dispose();
        inference.Dispose();
    }

    /// <summary>A Fisher-Yates permutation that depends only on (seed, epoch).</summary>
    private int[] ShuffledOrder(int epoch)
    {
        var order = Enumerable.Range(0, trainCount).ToArray();
        // HashCode is salted per process, so the seed is mixed by hand to stay reproducible.
        new Random(unchecked((Options.Seed * 1_000_003) + epoch)).Shuffle(order);
        return order;
    }
}
