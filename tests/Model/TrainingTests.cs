using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using GpuVae.Model;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Model;

/// <summary>Training on real MNIST: it learns, and a resumed run is the uninterrupted run.</summary>
public sealed class TrainingTests
{
    private const int TestImages = 1000;

    [Fact]
    public void TrainingOnRealMnistBringsTheTestLossFarBelowTheUntrainedModels()
    {
        var data = RealMnist.Load();
        var config = new VaeConfig(Latent: 8, Hidden: 100);
        float[] test = data.Test.Images[..(TestImages * config.Pixels)];
        using var backend = new HostBackend();
        using var model = new Vae(backend, config);
        model.Initialize(seed: 3);
        double untrained;
        using (var inference = new VaeInference(model, seed: 3))
        {
            untrained = inference.Evaluate(test).MeanLoss;
        }

        var options = new TrainingOptions { Epochs = 2, Seed = 3 };
        using var trainer = new Trainer(model, options, data.Train.Images[..(6400 * config.Pixels)], test);
        trainer.TrainEpoch(1, null, CancellationToken.None);
        var metrics = trainer.TrainEpoch(2, null, CancellationToken.None);

        // An untrained decoder outputs ~0.5 everywhere: ~784 * log 2 = 543 nats. The TensorFlow original's
        // model passes 200 within an epoch of 6,400 images; anything above half the
        // untrained loss means the gradients do not train.
        Assert.InRange(untrained, 400, 700);
        Assert.True(metrics.TestLoss < 0.5 * untrained, $"test loss {metrics.TestLoss:F2} after 2 epochs, untrained {untrained:F2}");
        Assert.True(metrics.TestBce > 0 && metrics.TestKld > 0, $"bce {metrics.TestBce}, kld {metrics.TestKld}");
    }

    [Fact]
    public void TrainingOnCorruptedInputsLowersTheLossOnCleanTestImages()
    {
        var data = RealMnist.Load();
        var config = new VaeConfig(Latent: 8, Hidden: 100);
        float[] train = data.Train.Images[..(6400 * config.Pixels)];
        float[] test = data.Test.Images[..(TestImages * config.Pixels)];
        using var backend = new HostBackend();
        using var model = new Vae(backend, config);
        model.Initialize(seed: 4);
        double untrained;
        using (var inference = new VaeInference(model, seed: 4))
        {
            untrained = inference.Evaluate(test).MeanLoss;
        }

        // Half the pixels of every input forced to 0 or 1; the loss still scores the clean image.
        // Two short epochs only get the model past the mean image (~210 nats with or without
        // noise), so this checks that the denoising path trains, not how well it denoises.
        var metrics = TrainFresh(model, new TrainingOptions { Seed = 4, InputNoise = 0.5f }, train, test, epochs: 2);
        Assert.True(metrics.TestLoss < 0.5 * untrained, $"test loss {metrics.TestLoss:F2} after 2 epochs, untrained {untrained:F2}");
        Assert.True(metrics.TrainLoss > metrics.TestLoss, $"corrupted training inputs should cost more than clean test inputs: train {metrics.TrainLoss:F2}, test {metrics.TestLoss:F2}");
    }

    [Fact]
    public void ResumingFromACheckpointReachesTheSameParametersAsAnUninterruptedRun()
    {
        var config = SmallConfig;
        var options = new TrainingOptions { Seed = 5, BatchSize = 64 };
        var (train, test) = SmallData();
        using var folder = new TempFolder();
        using var backend = new HostBackend();

        using var uninterrupted = new Vae(backend, config);
        TrainFresh(uninterrupted, options, train, test, epochs: 3);

        using (var first = new Vae(backend, config))
        {
            first.Initialize(options.Seed);
            using var trainer = new Trainer(first, options, train, test);
            trainer.TrainEpoch(1, null, CancellationToken.None);
            Checkpoint.Save(folder.Path, first, new TrainingState(1, trainer.GlobalStep, options.Seed, options.BatchSize));
        }

        using var resumed = new Vae(backend, config);
        var state = Checkpoint.LoadForResume(folder.Path, resumed);
        using (var trainer = new Trainer(resumed, options, train, test) { GlobalStep = state.GlobalStep })
        {
            for (int epoch = state.CompletedEpochs + 1; epoch <= 3; epoch++)
            {
                trainer.TrainEpoch(epoch, null, CancellationToken.None);
            }
        }

        Assert.Equal(1, state.CompletedEpochs);
        for (int t = 0; t < uninterrupted.Parameters.Count; t++)
        {
            foreach (var (expected, actual) in new[]
            {
                (uninterrupted.Parameters[t].Value, resumed.Parameters[t].Value),
                (uninterrupted.Parameters[t].SecondMoment, resumed.Parameters[t].SecondMoment),
            })
            {
                // The host backend is deterministic, so resuming must be exact, not just close.
                Assert.Equal(Download(backend, expected), Download(backend, actual));
            }
        }
    }

    [Fact]
    public void InterruptingMidEpochAndResumingGivesTheUninterruptedParametersAndMetrics()
    {
        var config = SmallConfig;
        var options = new TrainingOptions { Seed = 9, BatchSize = 64 };
        var (train, test) = SmallData();
        using var folder = new TempFolder();
        using var backend = new HostBackend();

        using var uninterrupted = new Vae(backend, config);
        var expected = TrainFresh(uninterrupted, options, train, test, epochs: 2);

        using (var first = new Vae(backend, config))
        {
            first.Initialize(options.Seed);
            using var trainer = new Trainer(first, options, train, test);
            trainer.TrainEpoch(1, null, CancellationToken.None);
            using var cancellation = new CancellationTokenSource();
            // Ctrl-C arrives during step 4 of epoch 2: that step finishes, the fifth never starts.
            var stopAfterFour = new Progress(p => { if (p.Step == 4) cancellation.Cancel(); });
            var interrupted = Assert.Throws<TrainingInterruptedException>(() => trainer.TrainEpoch(2, stopAfterFour, cancellation.Token));
            Assert.Equal(4, interrupted.Position.StepsDone);
            Checkpoint.Save(folder.Path, first, new TrainingState(1, trainer.GlobalStep, options.Seed, options.BatchSize, interrupted.Position));
        }

        using var resumed = new Vae(backend, config);
        var state = Checkpoint.LoadForResume(folder.Path, resumed);
        Assert.Equal(new EpochPosition(2, 4, state.Partial!.BceSum, state.Partial.KldSum, 4 * 64, state.Partial.Seconds), state.Partial);
        EpochMetrics actual;
        using (var trainer = new Trainer(resumed, options, train, test) { GlobalStep = state.GlobalStep })
        {
            actual = trainer.TrainEpoch(2, null, CancellationToken.None, state.Partial);
        }

        Assert.Equal((expected.TrainLoss, expected.TrainBce, expected.TestLoss), (actual.TrainLoss, actual.TrainBce, actual.TestLoss));
        for (int t = 0; t < uninterrupted.Parameters.Count; t++)
        {
            Assert.Equal(Download(backend, uninterrupted.Parameters[t].Value), Download(backend, resumed.Parameters[t].Value));
        }
    }

    private static readonly VaeConfig SmallConfig = new(Latent: 3, Hidden: 24);

    /// <summary>640 training and 100 test images of real MNIST: ten steps an epoch at batch 64.</summary>
    private static (float[] Train, float[] Test) SmallData()
    {
        var data = RealMnist.Load();
        return (data.Train.Images[..(640 * SmallConfig.Pixels)], data.Test.Images[..(100 * SmallConfig.Pixels)]);
    }

    /// <summary>Initializes model and trains it for epochs without a stop; returns the last epoch's metrics.</summary>
    private static EpochMetrics TrainFresh(Vae model, TrainingOptions options, float[] train, float[] test, int epochs)
    {
        model.Initialize(options.Seed);
        using var trainer = new Trainer(model, options, train, test);
        EpochMetrics? last = null;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            last = trainer.TrainEpoch(epoch, null, CancellationToken.None);
        }

        return last!;
    }

    /// <summary>Reports synchronously on the training thread (System.Progress would post to the thread pool).</summary>
    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    private static float[] Download(Backend backend, Tensor tensor)
    {
        var values = new float[tensor.Length];
        backend.Download(tensor, values);
        return values;
    }
}
