using GpuVae.Model.Persistence;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Api;

/// <summary>
/// <see cref="VaeTrainer"/> on small slices of real MNIST on the host: it reports each epoch,
/// a cancelled run keeps a checkpoint that Resume finishes exactly as an uninterrupted run, and
/// options that do not fit are refused naming the option.
/// </summary>
public sealed class VaeTrainerTests
{
    private static readonly VaeTrainingOptions Small = new()
    {
        Latent = 2, Hidden = 32, Epochs = 2, BatchSize = 64, TrainLimit = 256, Accelerator = AcceleratorChoice.Host,
    };

    [Fact]
    public void ACancelledRunResumesToTheSameEpochs()
    {
        var data = RealMnist.ForApi(256, 200);
        using var folder = new TempFolder();
        var straight = VaeTrainer.Train(folder.File("straight"), data, Small, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([1, 2], straight.Select(r => r.Epoch));
        Assert.All(straight, r => Assert.True(double.IsFinite(r.TestLoss) && r.Epochs == 2));

        // Cancelled when epoch 1 is reported: epoch 2 stops before its first step.
        using var cancel = new CancellationTokenSource();
        var reported = new List<EpochReport>();
        var progress = new SynchronousProgress(r =>
        {
            reported.Add(r);
            cancel.Cancel();
        });
        string stopped = folder.File("stopped");
        var e = Assert.ThrowsAny<OperationCanceledException>(() => VaeTrainer.Train(stopped, data, Small, progress, cancel.Token));
        Assert.Contains("epoch 2", e.Message, StringComparison.Ordinal);
        Assert.Equal([(1, straight[0].TrainLoss, straight[0].TestLoss)], reported.Select(r => (r.Epoch, r.TrainLoss, r.TestLoss)));

        var resumed = VaeTrainer.Train(stopped, data, Small with { Resume = true }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(straight.Select(r => (r.Epoch, r.TrainLoss, r.TestLoss)), resumed.Select(r => (r.Epoch, r.TrainLoss, r.TestLoss)));

        using var model = VaeModel.Load(stopped, AcceleratorChoice.Host);
        Assert.Equal(new VaeModelConfig(2, "32:elu,32:tanh", "32:tanh,32:elu", 784, 28, 28, 0, false), model.Config);
    }

    [Fact]
    public void OptionsThatDoNotFitAreNamed()
    {
        var data = RealMnist.ForApi(256, 200);
        using var folder = new TempFolder();
        string run = folder.File("run");
        AssertRefused("options.Latent", () => VaeTrainer.Train(run, data, Small with { Latent = 0 }));
        AssertRefused("options.LearningRate", () => VaeTrainer.Train(run, data, Small with { LearningRate = float.NaN }));
        AssertRefused("options.Beta", () => VaeTrainer.Train(run, data, Small with { ImportanceSamples = 5, Beta = 2 }));
        AssertRefused("fewer than one batch of BatchSize 64", () => VaeTrainer.Train(run, data, Small with { Validation = 200 }));
        var unlabelled = VaeTrainingData.FromArrays(new float[128 * 4], new float[4], 2, 2);
        AssertRefused("options.Conditional", () => VaeTrainer.Train(run, unlabelled, Small with { Conditional = true, TrainLimit = null }));
        AssertRefused("options.Encoder", () => VaeTrainer.Train(run, data, Small with { Encoder = "24:swish" }));
        AssertRefused("options.LearningRateSchedule", () => VaeTrainer.Train(run, data, Small with { LearningRateSchedule = "1:fast" }));
        // Refused before anything is written.
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void ALayerListAndAScheduleTrainAsTheCommandLineTrainsThem()
    {
        var data = RealMnist.ForApi(256, 200);
        using var folder = new TempFolder();
        string run = folder.File("run");
        var options = Small with { Encoder = "24:tanh,16:relu", Decoder = "16:gelu", LearningRateSchedule = "1:0.002,1:0.0005" };

        var reports = VaeTrainer.Train(run, data, options, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([1, 2], reports.Select(r => r.Epoch));
        using var model = VaeModel.Load(run, AcceleratorChoice.Host);
        Assert.Equal(new VaeModelConfig(2, "24:tanh,16:relu", "16:gelu", 784, 28, 28, 0, false), model.Config);
        Assert.Equal([0.002f, 0.0005f], MetricsCsv.Read(Path.Combine(run, Checkpoint.MetricsFileName)).Select(m => m.LearningRate));
    }

    [Fact]
    public void BadArraysAndFoldersAreNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => VaeTrainingData.FromArrays(new float[10], new float[4], 2, 2));
        Assert.Equal("trainImages", e.ParamName);
        var pixels = new float[8];
        pixels[5] = -0.5f;
        e = Assert.Throws<ArgumentException>(() => VaeTrainingData.FromArrays(new float[4], pixels, 2, 2));
        Assert.Contains("pixel 1 of image 1 is -0.5", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => VaeTrainingData.FromArrays(new float[4], new float[4], 2, 2, trainLabels: [300]));
        Assert.Equal("trainLabels", e.ParamName);

        using var folder = new TempFolder();
        Assert.Throws<DirectoryNotFoundException>(() => VaeTrainingData.FromIdxFolder(folder.File("none")));
        var missing = Assert.Throws<InvalidDataException>(() => VaeTrainingData.FromIdxFolder(folder.Path));
        Assert.Contains("train-images-idx3-ubyte", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnIdxFolderReadsAsTheCommandLineReadsIt()
    {
        _ = RealMnist.Load();
        var data = VaeTrainingData.FromIdxFolder(RepositoryPaths.MnistCache);
        var cli = RealMnist.Load();
        Assert.Equal((60_000, 10_000, 28, 28, true), (data.TrainCount, data.TestCount, data.Rows, data.Cols, data.HasLabels));
        Assert.True(data.TestImages.Span.SequenceEqual(cli.Test.Images));
        Assert.Equal(cli.Test.Labels!.Select(l => (int)l), data.TestLabels.ToArray());
    }

    private static void AssertRefused(string fragment, Action call)
    {
        var e = Assert.ThrowsAny<ArgumentException>(call);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    /// <summary>Reports on the training thread, unlike <see cref="Progress{T}"/>, which posts.</summary>
    private sealed class SynchronousProgress(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }
}
